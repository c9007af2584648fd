package com.catalytic.command.lattice;

import com.catalytic.api.identity.Caller;
import com.catalytic.api.usage.ComputeUnits;
import com.catalytic.command.lattice.LatticeService.Computed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Lattices (write side) and the computations on them. Listing and reading are in the query side. */
@RestController
class LatticeController {

    public record CreateLatticeRequest(String name, @NotNull Integer dimensions, @NotNull Integer size,
                                List<List<Integer>> obstacles) {
    }

    public record PathRequest(@NotNull List<Integer> start, @NotNull List<Integer> end) {
    }

    private final LatticeService lattices;

    public LatticeController(LatticeService lattices) {
        this.lattices = lattices;
    }

    @PostMapping(path = "/api/lattices", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> create(Caller caller, @Valid @RequestBody CreateLatticeRequest body) {
        return lattices.create(caller, body.name(), body.dimensions(), body.size(), body.obstacles());
    }

    @DeleteMapping("/api/lattices/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(Caller caller, @PathVariable("id") String id) {
        lattices.delete(caller, id);
    }

    @PostMapping(path = "/api/lattices/{id}/path", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> path(Caller caller, @PathVariable("id") String id, @Valid @RequestBody PathRequest body,
                                    HttpServletRequest request) {
        return metered(request, lattices.path(caller, id, body.start(), body.end()));
    }

    @PostMapping("/api/lattices/{id}/analyze")
    public Map<String, Object> analyze(Caller caller, @PathVariable("id") String id, HttpServletRequest request) {
        return metered(request, lattices.analyze(caller, id));
    }

    private static Map<String, Object> metered(HttpServletRequest request, Computed computed) {
        request.setAttribute(ComputeUnits.REQUEST_ATTRIBUTE, computed.units());
        return computed.body();
    }
}
