package com.catalytic.command.user;

import com.catalytic.api.account.UserView;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Team management (write side). Reads are in the query side's users controller. */
@RestController
class UsersController {

    public record AddUserRequest(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 16) String role,
                                 @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "AddUserRequest[role=" + role + "]";
        }
    }

    public record ChangeUserRequest(@Size(max = 16) String role, Boolean active) {
    }

    public record AcceptInvitationRequest(@NotBlank @Size(max = 200) String token,
                                          @NotBlank @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "AcceptInvitationRequest[]";
        }
    }

    private final TeamService team;

    public UsersController(TeamService team) {
        this.team = team;
    }

    @PostMapping(path = "/api/users", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> add(Caller caller, @Valid @RequestBody AddUserRequest body) {
        TeamService.Added added = team.add(caller, body.email(), role(body.role()), body.password());
        Map<String, Object> out = new LinkedHashMap<>();
        UserView u = added.user();
        out.put("id", u.id());
        out.put("email", u.email());
        out.put("role", u.role());
        out.put("active", u.active());
        out.put("invited", u.invited());
        out.put("created_at", u.createdAt());
        out.put("invitation_sent", added.invitationSent());
        return out;
    }

    @PatchMapping(path = "/api/users/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public UserView change(Caller caller, @PathVariable("id") String id, @Valid @RequestBody ChangeUserRequest body) {
        if (body.role() == null && body.active() == null) {
            throw DomainException.validation("role", "nothing_to_change", "give role and/or active");
        }
        return team.change(caller, id, body.role() == null ? null : role(body.role()), body.active());
    }

    @DeleteMapping("/api/users/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void remove(Caller caller, @PathVariable("id") String id) {
        team.remove(caller, id);
    }

    /** Erasure of the user's personal data (owners): 204, also when it was erased before. */
    @DeleteMapping("/api/users/{id}/personal-data")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void erase(Caller caller, @PathVariable("id") String id) {
        team.erase(caller, id);
    }

    @PostMapping(path = "/auth/invitations/accept", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void accept(@Valid @RequestBody AcceptInvitationRequest body) {
        team.acceptInvitation(body.token(), body.password());
    }

    private static Role role(String value) {
        Role r = Role.fromWire(value);
        if (r == null) {
            throw DomainException.validation("role", "invalid_role", "role must be one of owner, admin, member, viewer");
        }
        return r;
    }
}
