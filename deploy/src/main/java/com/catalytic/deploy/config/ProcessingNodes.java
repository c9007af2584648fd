package com.catalytic.deploy.config;

import com.catalytic.infrastructure.node.NodeRoles.Role;
import com.catalytic.infrastructure.node.NodeRoles;
import com.catalytic.projections.EventProcessingGroup.Mode;
import com.catalytic.projections.EventProcessingGroup;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.pooled.MaxSegmentProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The nodes that run streaming processors, and each processor's fair share of segments on this node. Every node
 * holding the projections or dispatchers role writes a heartbeat to {@code processing_nodes} (on the database's
 * clock, so nodes' clocks need not agree) and counts as alive while its heartbeat is younger than the token claim
 * timeout. A processor's share is its segments divided by the live nodes holding its role, rounded up: Axon's
 * coordinator claims up to the share and releases what it holds above it, so a processor's segments spread over the
 * nodes that run it, and a dead node's are taken up by the others once its claims and heartbeat have lapsed.
 */
final class ProcessingNodes implements MaxSegmentProvider, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProcessingNodes.class);
    /** Rows of nodes gone for this long are removed (a restarted node is a new node). */
    private static final Duration FORGOTTEN_AFTER = Duration.ofHours(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String nodeId;
    private final NodeRoles roles;
    private final Duration liveness;
    private final Duration heartbeat;
    private final int initialSegments;
    private volatile Map<String, Integer> shares;
    private volatile Instant lastFailureLogged = Instant.EPOCH;
    private ScheduledExecutorService beats;

    /**
     * @param nodeId          this node's name, also its name as the owner of segments in {@code token_entry}
     * @param liveness        how long a heartbeat counts (the token claim timeout: a node whose heartbeat lapsed
     *                        has lost its claims too)
     * @param heartbeat       how often this node writes its heartbeat and recomputes its shares
     * @param initialSegments the segments a processor starts with, until its tokens exist
     */
    public ProcessingNodes(JdbcTemplate jdbc, Clock clock, String nodeId, NodeRoles roles, Duration liveness,
                           Duration heartbeat, int initialSegments) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.nodeId = nodeId;
        this.roles = roles;
        this.liveness = liveness;
        this.heartbeat = heartbeat;
        this.initialSegments = initialSegments;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The role a group's streaming processor belongs to; none for a subscribing group (it runs on every node). */
    public static Optional<Role> roleOf(EventProcessingGroup group) {
        if (group.mode() == Mode.SUBSCRIBING) {
            return Optional.empty();
        }
        return Optional.of(group.isProjection() ? Role.PROJECTIONS : Role.DISPATCHERS);
    }

    /** How many of the processor's segments this node may hold now (Axon asks before claiming and releasing). */
    @Override
    public int getMaxSegments(String processor) {
        Map<String, Integer> current = shares;
        if (current == null) {
            beat();
            current = shares;
        }
        return current == null ? Short.MAX_VALUE : current.getOrDefault(processor, (int) Short.MAX_VALUE);
    }

    /** Writes this node's heartbeat and recomputes its shares; on a database failure the shares stay as they were. */
    public synchronized void beat() {
        try {
            Timestamp now = jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", Timestamp.class);
            if (jdbc.update("UPDATE processing_nodes SET heartbeat_at = ?, roles = ? WHERE node_id = ?", now,
                    roles.toString(), nodeId) == 0) {
                jdbc.update("INSERT INTO processing_nodes (node_id, roles, heartbeat_at) VALUES (?, ?, ?)", nodeId,
                        roles.toString(), now);
            }
            jdbc.update("DELETE FROM processing_nodes WHERE heartbeat_at < ?",
                    Timestamp.from(now.toInstant().minus(FORGOTTEN_AFTER)));
            Timestamp aliveSince = Timestamp.from(now.toInstant().minus(liveness));
            Map<Role, Integer> live = new EnumMap<>(Role.class);
            List<String> liveRoles = jdbc.queryForList("SELECT roles FROM processing_nodes WHERE heartbeat_at > ? "
                    + "OR node_id = ?", String.class, aliveSince, nodeId);
            for (String r : liveRoles) {
                NodeRoles.parse(r).roles().forEach(role -> live.merge(role, 1, Integer::sum));
            }
            Map<String, Integer> segments = new HashMap<>();
            jdbc.query("SELECT processor_name, COUNT(*) FROM token_entry GROUP BY processor_name",
                    rs -> {
                        segments.put(rs.getString(1), rs.getInt(2));
                    });
            Map<String, Integer> next = new HashMap<>();
            for (EventProcessingGroup group : EventProcessingGroup.values()) {
                roleOf(group).filter(roles::has).ifPresent(role -> {
                    int total = segments.getOrDefault(group.groupName(), initialSegments);
                    int nodes = Math.max(1, live.getOrDefault(role, 0));
                    next.put(group.groupName(), Math.max(1, (total + nodes - 1) / nodes));
                });
            }
            shares = Map.copyOf(next);
        } catch (DataAccessException e) {
            Instant now = clock.instant();
            if (now.isAfter(lastFailureLogged.plus(Duration.ofMinutes(1)))) {
                lastFailureLogged = now;
                log.warn("Processing node heartbeat failed (segment shares unchanged): {}", e.toString());
            }
        }
    }

    /** This node's share of each processor it runs, as last computed. */
    public Map<String, Integer> shares() {
        Map<String, Integer> current = shares;
        return current == null ? Map.of() : current;
    }

    private boolean runsStreamingProcessors() {
        return roles.has(Role.PROJECTIONS) || roles.has(Role.DISPATCHERS);
    }

    @Override
    public synchronized void start() {
        if (beats != null || !runsStreamingProcessors()) {
            return;
        }
        beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "processing-node-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beats.scheduleWithFixedDelay(this::beat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat and leaves the table, so the others take up this node's share at once. */
    @Override
    public synchronized void stop() {
        if (beats == null) {
            return;
        }
        beats.shutdownNow();
        beats = null;
        try {
            jdbc.update("DELETE FROM processing_nodes WHERE node_id = ?", nodeId);
        } catch (DataAccessException e) {
            log.warn("Could not remove this node from processing_nodes (its heartbeat lapses instead): {}",
                    e.toString());
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return beats != null;
    }
}
