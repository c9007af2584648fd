package com.catalytic.command.lattice;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.lattice.LatticeMessages.CreateLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.DeleteLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.RecordLatticeOperationCommand;
import com.catalytic.api.lattice.LatticeMessages.ReleaseLatticeCommand;
import com.catalytic.api.usage.ComputeUnits;
import com.catalytic.command.lattice.engine.Analysis;
import com.catalytic.command.lattice.engine.AnalysisOptions;
import com.catalytic.command.lattice.engine.Analyzer;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.LatticeInputException;
import com.catalytic.command.lattice.engine.PathFinder;
import com.catalytic.command.lattice.engine.PathOptions;
import com.catalytic.command.lattice.engine.PathResult;
import com.catalytic.infrastructure.secrets.Ids;
import java.math.BigInteger;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating and deleting lattices, and the computations on them: each runs on {@link LatticeCompute}, is recorded on
 * the lattice (a summary, never the whole path) and reports the compute units it used.
 */
class LatticeService {

    /** An answer and the compute units it cost. */
    public record Computed(Map<String, Object> body, long units) {
    }

    private static final Logger log = LoggerFactory.getLogger(LatticeService.class);

    private final CommandGateway commands;
    private final LatticeDefinitions definitions;
    private final LatticeCompute compute;
    private final LatticeProperties settings;
    private final Clock clock;

    public LatticeService(CommandGateway commands, LatticeDefinitions definitions, LatticeCompute compute,
                          LatticeProperties settings, Clock clock) {
        this.commands = commands;
        this.definitions = definitions;
        this.compute = compute;
        this.settings = settings;
        this.clock = clock;
    }

    public Map<String, Object> create(Caller caller, String name, int dimensions, int size,
                                      List<List<Integer>> obstacles) {
        caller.require(Scopes.LATTICES_WRITE);
        LatticeCreation c = commands.sendAndWait(new CreateLatticeCommand(caller.tenantId(), Ids.newId(), name,
                dimensions, size, obstacles, Actor.of(caller)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("dimensions", c.dimensions());
        out.put("size", c.size());
        out.put("vertices", new BigInteger(c.vertices()));
        out.put("edges", new BigInteger(c.edges()));
        out.put("obstacles", c.obstacles());
        out.put("memory_bytes", c.memoryBytes());
        out.put("created_at", c.createdAt());
        return out;
    }

    /**
     * Deletes the lattice, then frees its slot in the tenant. A lattice not found still has its slot released (a
     * no-op unless an earlier delete stopped between the two), so retrying a delete repairs the count.
     */
    public void delete(Caller caller, String latticeId) {
        caller.require(Scopes.LATTICES_WRITE);
        try {
            commands.sendAndWait(new DeleteLatticeCommand(latticeId, caller.tenantId(), Actor.of(caller)));
        } catch (RuntimeException e) {
            if (!isNotFound(e)) {
                throw e;
            }
            definitions.evict(latticeId);
            commands.sendAndWait(new ReleaseLatticeCommand(caller.tenantId(), latticeId));
            throw DomainException.notFound("lattice");
        }
        definitions.evict(latticeId);
        commands.sendAndWait(new ReleaseLatticeCommand(caller.tenantId(), latticeId));
    }

    public Computed path(Caller caller, String latticeId, List<Integer> start, List<Integer> end) {
        caller.require(Scopes.LATTICES_READ);
        LatticeDefinition lattice = definition(caller, latticeId);
        int[] from = vertex(lattice, "start", start);
        int[] to = vertex(lattice, "end", end);
        long began = System.nanoTime();
        PathResult r = compute.run(caller.tenantId(), cancellation -> PathFinder.find(lattice, from, to,
                new PathOptions(settings.maxPathVertices(), settings.maxSearchVertices(), cancellation)));
        long ms = elapsedMs(began);
        long units = "direct".equals(r.method()) ? ComputeUnits.direct() : ComputeUnits.search(r.verticesExplored());
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("start", List.copyOf(start));
        parameters.put("end", List.copyOf(end));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("reachable", r.reachable());
        summary.put("length", r.reachable() ? r.length() : null);
        summary.put("vertices_explored", r.verticesExplored());
        summary.put("path_truncated", r.truncated());
        summary.put("method", r.method());
        record(caller, latticeId, "path", parameters, summary, ms, units);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reachable", r.reachable());
        out.put("length", r.reachable() ? r.length() : null);
        out.put("path", r.reachable() ? r.path() : List.of());
        out.put("path_truncated", r.truncated());
        out.put("vertices_explored", r.verticesExplored());
        out.put("execution_time_ms", ms);
        return new Computed(out, units);
    }

    public Computed analyze(Caller caller, String latticeId) {
        caller.require(Scopes.LATTICES_READ);
        LatticeDefinition lattice = definition(caller, latticeId);
        long began = System.nanoTime();
        Analysis a = compute.run(caller.tenantId(), cancellation -> Analyzer.analyze(lattice,
                new AnalysisOptions(settings.maxScanVertices(), cancellation)));
        long ms = elapsedMs(began);
        long units = "closed_form".equals(a.method()) ? ComputeUnits.direct() : ComputeUnits.search(a.verticesScanned());
        Map<String, Object> histogram = new LinkedHashMap<>();
        a.degreeHistogram().forEach((degree, count) -> histogram.put(Integer.toString(degree), count));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vertices", a.vertices());
        out.put("edges", a.edges());
        out.put("degree_histogram", histogram);
        out.put("diameter", a.diameter());
        out.put("connected_components", a.components());
        out.put("bipartite", a.bipartite());
        Map<String, Object> summary = new LinkedHashMap<>(out);
        summary.put("vertices_scanned", a.verticesScanned());
        summary.put("method", a.method());
        record(caller, latticeId, "analyze", Map.of(), summary, ms, units);
        out.put("execution_time_ms", ms);
        return new Computed(out, units);
    }

    private LatticeDefinition definition(Caller caller, String latticeId) {
        return definitions.of(caller.tenantId(), latticeId);
    }

    private static int[] vertex(LatticeDefinition lattice, String field, List<Integer> coordinates) {
        try {
            return lattice.vertex(field, coordinates);
        } catch (LatticeInputException e) {
            throw LatticeErrors.of(e);
        }
    }

    /** A lattice deleted meanwhile (possibly through another node) refuses the record: the answer is 404 then. */
    private void record(Caller caller, String latticeId, String operation, Map<String, Object> parameters,
                        Map<String, Object> result, long durationMs, long units) {
        try {
            commands.sendAndWait(new RecordLatticeOperationCommand(latticeId, caller.tenantId(), Ids.newId(),
                    operation, parameters, result, durationMs, units, clock.instant(), Actor.of(caller)));
        } catch (RuntimeException e) {
            if (isNotFound(e)) {
                definitions.evict(latticeId);
                log.debug("Lattice {} was deleted while {} ran on it", latticeId, operation);
                throw DomainException.notFound("lattice");
            }
            throw e;
        }
    }

    private static long elapsedMs(long beganNanos) {
        return (System.nanoTime() - beganNanos) / 1_000_000;
    }

    /** Unknown, deleted, another tenant's, or the id of another kind of aggregate (which replays into no lattice). */
    static boolean isNotFound(Throwable e) {
        if (e instanceof AggregateNotFoundException || e instanceof IncompatibleAggregateException) {
            return true;
        }
        if (e instanceof DomainException d) {
            return d.kind() == Kind.NOT_FOUND;
        }
        return e instanceof CommandExecutionException cee
                && cee.getDetails().orElse(null) instanceof DomainException d && d.kind() == Kind.NOT_FOUND;
    }
}
