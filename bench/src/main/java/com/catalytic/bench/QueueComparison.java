package com.catalytic.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.catalytic.bench.DeliveryWork.Kind;
import com.github.kagkarlsson.scheduler.PollingStrategyConfig;
import com.github.kagkarlsson.scheduler.PollingStrategyConfig.Type;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The write side's {@code DurableQueue} against db-scheduler 16.7.1 doing identical work on a scratch PostgreSQL
 * database (docs/PERFORMANCE.md, "Durable queue: DurableQueue against db-scheduler"; bench/queue/queue-comparison.sh
 * creates the database, runs this and drops it). A plain main, not JMH: each turn is seconds of real work.
 *
 * <p>Per round, every phase is run by every contender in turn (A B C, A B C, …), each on freshly created and analysed
 * tables and a pool of its own: <b>drain</b>, a backlog of due deliveries stored before the queue starts, timed until
 * all are done; <b>steady</b>, deliveries offered at a fixed rate by one producer thread to a table holding a history
 * of done ones, with the delay from the offer to the start of the work. Work is {@code http} (POST the payload to a
 * receiver on 127.0.0.1, then the bookkeeping update) or {@code noop} (the bookkeeping update alone). Transactions
 * are PostgreSQL's commits in the database over the turn (its enqueueing too, in steady), per execution.
 *
 * <p>Arguments, {@code key=value}: {@code jdbc} (the scratch database), {@code stats} (another database on the same
 * server), {@code backlog=20000}, {@code history=20000} (done deliveries in the table of a steady phase),
 * {@code warmup=2000}, {@code rates=100,300}, {@code seconds=20}, {@code rounds=2}, {@code workers=8},
 * {@code interval-ms=1000}, {@code contenders=durable-queue,db-scheduler,db-scheduler-4x,db-scheduler-fetch}
 * ({@code durable-queue-N}: DurableQueue claiming N rows at a time); {@code rates=} (empty): drains only.
 */
public final class QueueComparison {

    private static final long DRAIN_TIMEOUT_SECONDS = 900;
    private static final long STEADY_TIMEOUT_SECONDS = 120;
    /**
     * A steady turn kept up when its last offer was worked on within this (the rate it was offered at is reported
     * apart: on a busy machine the one producer thread falls short of it, whichever queue it stores into).
     */
    private static final long KEPT_UP_MILLIS = 2_000;
    /** Connections of a turn's pool: with the statistics connection, within the 12 a benchmark may hold. */
    private static final int POOL = 10;
    private static final int RECEIVER_THREADS = 8;
    private static final String DURABLE_QUEUE = "durable-queue";

    record Settings(String jdbc, String stats, int backlog, int history, int warmup, List<Integer> rates, int seconds,
                    int rounds, int workers, Duration interval, List<String> contenders) {

        static Settings parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                String[] kv = arg.split("=", 2);
                a.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            return new Settings(required(a, "jdbc"), required(a, "stats"),
                    Integer.parseInt(a.getOrDefault("backlog", "20000")),
                    Integer.parseInt(a.getOrDefault("history", "20000")),
                    Integer.parseInt(a.getOrDefault("warmup", "2000")),
                    Arrays.stream(a.getOrDefault("rates", "100,300").split(",")).filter(r -> !r.isEmpty())
                            .map(Integer::valueOf).toList(),
                    Integer.parseInt(a.getOrDefault("seconds", "20")), Integer.parseInt(a.getOrDefault("rounds", "2")),
                    Integer.parseInt(a.getOrDefault("workers", "8")),
                    Duration.ofMillis(Long.parseLong(a.getOrDefault("interval-ms", "1000"))),
                    List.of(a.getOrDefault("contenders", "durable-queue,db-scheduler,db-scheduler-4x,db-scheduler-fetch").split(",")));
        }

        private static String required(Map<String, String> a, String key) {
            String value = a.get(key);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(key + "= is required");
            }
            return value;
        }

        /** The database's name, from a URL such as jdbc:postgresql://127.0.0.1:5432/name?user=postgres. */
        String database() {
            return URI.create(jdbc.substring("jdbc:".length())).getPath().substring(1);
        }
    }

    /** A drain (rate 0) or a steady rate, of one kind of work. */
    record Phase(Kind work, int rate) {

        boolean drain() {
            return rate == 0;
        }

        String label() {
            return (drain() ? "drain" : "steady " + rate + "/s") + " " + work.name().toLowerCase(Locale.ROOT);
        }
    }

    /** When a turn began (the start of the queue, or the first offer) and when its producer made its last offer. */
    private record Timing(long start, long lastOffer) {
    }

    /** The figures of one contender in one phase of one round. */
    record Turn(int round, Phase phase, String contender, int count, int done, double perSecond,
                double offeredPerSecond, double p50, double p99, double tailMillis, long transactions, int duplicates,
                long lost, long leftOver) {

        boolean keptUp() {
            return lost == 0 && tailMillis <= KEPT_UP_MILLIS;
        }

        double transactionsPerExecution() {
            return done == 0 ? Double.NaN : (double) transactions / done;
        }

        String line() {
            String figures = phase.drain()
                    ? String.format(Locale.ROOT, "%d done: %.1f executions/s", done, perSecond)
                    : String.format(Locale.ROOT, "%d offered at %.1f/s: offer → start p50 %.1f ms, p99 %.1f ms; "
                            + "last done %.0f ms after the last offer (%s)", count, offeredPerSecond, p50, p99,
                            tailMillis, keptUp() ? "kept up" : "did not keep up");
            return String.format(Locale.ROOT, "round %d  %-18s %-19s %s; %.2f transactions/execution; "
                    + "%d duplicates, %d lost, %d left in the queue", round, phase.label(), contender, figures,
                    transactionsPerExecution(), duplicates, lost, leftOver);
        }
    }

    private final Settings settings;
    private final DeliveryReceiver receiver;
    private final PgTransactions pg;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private QueueComparison(Settings settings, DeliveryReceiver receiver, PgTransactions pg) {
        this.settings = settings;
        this.receiver = receiver;
        this.pg = pg;
    }

    public static void main(String[] args) throws Exception {
        // the libraries' start-up and per-turn messages at INFO would bury the figures
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Settings settings = Settings.parse(args);
        try (DeliveryReceiver receiver = DeliveryReceiver.start(RECEIVER_THREADS);
             PgTransactions pg = PgTransactions.open(settings.stats(), settings.database())) {
            new QueueComparison(settings, receiver, pg).run();
        }
    }

    private void run() throws Exception {
        List<QueueContender> contenders = settings.contenders().stream().map(this::contender).toList();
        List<Phase> phases = phases();
        System.out.printf(Locale.ROOT, "settings: %s%nstarted %s%n", settings, Instant.now());
        for (QueueContender c : contenders) {
            System.out.println("warm-up: " + turn(0, new Phase(Kind.HTTP, 0), c, settings.warmup()).line());
        }
        List<Turn> turns = new ArrayList<>();
        for (int round = 1; round <= settings.rounds(); round++) {
            for (Phase phase : phases) {
                for (QueueContender c : contenders) {
                    int count = phase.drain() ? settings.backlog() : phase.rate() * settings.seconds();
                    Turn turn = turn(round, phase, c, count);
                    System.out.println(turn.line());
                    turns.add(turn);
                }
            }
        }
        System.out.printf(Locale.ROOT, "finished %s; the receiver got %d POSTs in all%n%n", Instant.now(),
                receiver.received());
        printDrains(turns, phases, contenders);
        printSteady(turns, phases, contenders);
    }

    private QueueContender contender(String name) {
        if (name.startsWith(DURABLE_QUEUE + "-")) {
            // durable-queue-N: claiming N rows at a time instead
            int batch = Integer.parseInt(name.substring(DURABLE_QUEUE.length() + 1));
            return new DurableQueueContender(name, settings.workers(), batch, settings.interval());
        }
        return switch (name) {
            // the rows WebhookDeliveries claims a round
            case DURABLE_QUEUE -> new DurableQueueContender(name, settings.workers(), 8 * settings.workers(),
                    settings.interval());
            // the limits db-scheduler's documentation gives: lock-and-fetch 0.5, 1.0 for normal use and 1.0, 4.0 to
            // keep the threads busy; fetch-and-lock-on-execute with its defaults
            case "db-scheduler" -> dbScheduler(name, Type.LOCK_AND_FETCH, 0.5, 1.0);
            case "db-scheduler-4x" -> dbScheduler(name, Type.LOCK_AND_FETCH, 1.0, 4.0);
            case "db-scheduler-fetch" -> dbScheduler(name, Type.FETCH, 0.5, 3.0);
            default -> throw new IllegalArgumentException("unknown contender " + name);
        };
    }

    private QueueContender dbScheduler(String name, Type type, double lower, double upper) {
        return new DbSchedulerContender(name, new PollingStrategyConfig(type, lower, upper), settings.workers(),
                settings.interval());
    }

    private List<Phase> phases() {
        List<Phase> phases = new ArrayList<>();
        for (Kind work : Kind.values()) {
            phases.add(new Phase(work, 0));
        }
        for (Kind work : Kind.values()) {
            settings.rates().forEach(rate -> phases.add(new Phase(work, rate)));
        }
        return phases;
    }

    private Turn turn(int round, Phase phase, QueueContender contender, int count) throws Exception {
        try (HikariDataSource pool = pool(contender.name() + "-setup")) {
            JdbcTemplate jdbc = new JdbcTemplate(pool);
            contender.createTables(jdbc);
            if (phase.drain()) {
                contender.backlog(pool, count);
            } else {
                Deliveries.insertHistory(jdbc, count, settings.history());
            }
            // statistics, as autovacuum keeps them on tables in use: on a never analysed table the planner runs
            // DurableQueue's claim subquery once per pending row
            jdbc.execute("ANALYZE");
        }
        long before = pg.committed();
        Tally tally = new Tally(count);
        Timing timing;
        try (HikariDataSource pool = pool(contender.name())) {
            DeliveryWork work = new DeliveryWork(phase.work(), new JdbcTemplate(pool), http, receiver.uri(), tally);
            timing = phase.drain() ? drain(contender, pool, work, tally, count)
                    : steady(contender, pool, work, tally, phase.rate(), count);
        }
        long transactions = pg.committed() - before;
        return figures(round, phase, contender, count, tally, timing, transactions);
    }

    private Timing drain(QueueContender contender, DataSource pool, DeliveryWork work, Tally tally, int count)
            throws InterruptedException {
        long start = System.nanoTime();
        try (QueueContender.Running queue = contender.start(pool, work)) {
            tally.await(count, DRAIN_TIMEOUT_SECONDS);
        }
        return new Timing(start, start);
    }

    private Timing steady(QueueContender contender, DataSource pool, DeliveryWork work, Tally tally, int rate,
                          int count) throws InterruptedException {
        try (QueueContender.Running queue = contender.start(pool, work)) {
            long period = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int n = 0; n < count; n++) {
                long wait = start + n * period - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                tally.offered(n);
                queue.offer(n);
            }
            long lastOffer = System.nanoTime();
            tally.await(count, STEADY_TIMEOUT_SECONDS);
            return new Timing(start, lastOffer);
        }
    }

    private Turn figures(int round, Phase phase, QueueContender contender, int count, Tally tally, Timing timing,
                         long transactions) {
        long succeeded;
        long leftOver;
        try (HikariDataSource pool = pool(contender.name() + "-check")) {
            JdbcTemplate jdbc = new JdbcTemplate(pool);
            // the turn's deliveries only, not the history (numbered after them)
            Long n = jdbc.queryForObject("SELECT COUNT(*) FROM " + Deliveries.TABLE + " WHERE status = 'succeeded' "
                    + "AND id < ?", Long.class, Deliveries.id(count));
            succeeded = n == null ? 0 : n;
            leftOver = contender.leftOver(jdbc);
        }
        double[] delays = tally.delaysMillis();
        double seconds = (tally.lastDone() - timing.start()) / 1e9;
        double offering = (timing.lastOffer() - timing.start()) / 1e9;
        return new Turn(round, phase, contender.name(), count, tally.done(), tally.done() / seconds,
                phase.drain() ? 0 : count / offering, Tally.percentile(delays, 50), Tally.percentile(delays, 99),
                (tally.lastDone() - timing.lastOffer()) / 1e6, transactions, tally.duplicates(), count - succeeded,
                leftOver);
    }

    private HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbc());
        config.setMaximumPoolSize(POOL);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    private static void printDrains(List<Turn> turns, List<Phase> phases, List<QueueContender> contenders) {
        System.out.println("| drain | contender | executions/s, each round | mean | transactions / execution "
                + "| duplicates | lost |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Phase phase : phases.stream().filter(Phase::drain).toList()) {
            for (QueueContender c : contenders) {
                List<Turn> of = of(turns, phase, c);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | **%.0f** | %.2f | %d | %d |%n",
                        phase.work().name().toLowerCase(Locale.ROOT), c.name(), each(of, Turn::perSecond, "%.0f"),
                        mean(of, Turn::perSecond), mean(of, Turn::transactionsPerExecution), duplicates(of), lost(of));
            }
        }
        System.out.println();
    }

    private static void printSteady(List<Turn> turns, List<Phase> phases, List<QueueContender> contenders) {
        System.out.println("| steady | rate | contender | offered/s, each round | offer → start p50 ms, each round "
                + "| p99 ms, each round | kept up | transactions / execution | duplicates | lost |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Phase phase : phases.stream().filter(p -> !p.drain()).toList()) {
            for (QueueContender c : contenders) {
                List<Turn> of = of(turns, phase, c);
                String keptUp = of.stream().map(t -> t.keptUp() ? "yes" : "no").collect(Collectors.joining(" / "));
                System.out.printf(Locale.ROOT, "| %s | %d/s | %s | %s | %s | %s | %s | %.2f | %d | %d |%n",
                        phase.work().name().toLowerCase(Locale.ROOT), phase.rate(), c.name(),
                        each(of, Turn::offeredPerSecond, "%.0f"), each(of, Turn::p50, "%.1f"), each(of, Turn::p99, "%.1f"), keptUp,
                        mean(of, Turn::transactionsPerExecution), duplicates(of), lost(of));
            }
        }
    }

    private static List<Turn> of(List<Turn> turns, Phase phase, QueueContender contender) {
        return turns.stream().filter(t -> t.phase().equals(phase) && t.contender().equals(contender.name())).toList();
    }

    private static String each(List<Turn> turns, Function<Turn, Double> figure, String format) {
        return turns.stream().map(t -> String.format(Locale.ROOT, format, figure.apply(t)))
                .collect(Collectors.joining(" / "));
    }

    private static double mean(List<Turn> turns, Function<Turn, Double> figure) {
        return turns.stream().mapToDouble(figure::apply).average().orElse(Double.NaN);
    }

    private static int duplicates(List<Turn> turns) {
        return turns.stream().mapToInt(Turn::duplicates).sum();
    }

    private static long lost(List<Turn> turns) {
        return turns.stream().mapToLong(Turn::lost).sum();
    }
}
