import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A short summary of a JFR recording, for bench/load/metering.sh (PROFILE=jfr): where the CPU samples are, and
 * where threads wait.
 *
 * <ul>
 *   <li>jdk.ExecutionSample: the top frame (self time) and the first com.catalytic frame (inclusive), as shares of
 *       the samples;</li>
 *   <li>jdk.ThreadPark, jdk.JavaMonitorEnter, jdk.SocketRead: the total time by thread group (the thread's name
 *       without its number), site (the first com.catalytic frame, else the first frame outside the JDK) and what the
 *       site waits in (the frame outside the JDK closest to the wait, when it is not the site itself: Lettuce for
 *       Redis, the PostgreSQL driver, ...). Idle pool threads (waiting in ThreadPoolExecutor.getTask) are left
 *       out.</li>
 * </ul>
 *
 * Usage: java bench/load/JfrTop.java recording.jfr [rows]
 */
public class JfrTop {

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        long samples = 0;
        List<String> waits = List.of("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.SocketRead");
        Map<String, Map<String, long[]>> waited = new HashMap<>();
        for (String w : waits) {
            waited.put(w, new HashMap<>());
        }
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                RecordedStackTrace st = e.getStackTrace();
                List<RecordedFrame> frames = st == null ? List.of() : st.getFrames();
                if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    self.merge(frames.isEmpty() ? "?" : name(frames.get(0)), 1L, Long::sum);
                    inclusive.merge(firstCatalytic(frames, "(no com.catalytic frame)"), 1L, Long::sum);
                } else if (waited.containsKey(type)) {
                    if (frames.stream().anyMatch(f -> name(f).endsWith("ThreadPoolExecutor.getTask"))) {
                        continue; // an idle pool thread
                    }
                    String site = firstCatalytic(frames, null);
                    String via = null;
                    for (RecordedFrame f : frames) {
                        String n = name(f);
                        if (!jdk(n)) {
                            if (site == null) {
                                site = n;
                            }
                            if (!n.equals(site)) {
                                via = n;
                            }
                            break;
                        }
                    }
                    if (site == null) {
                        site = frames.isEmpty() ? "?" : name(frames.get(0));
                    }
                    String key = group(e.getThread("eventThread")) + "  " + site + (via != null ? "  (in " + via + ")" : "");
                    long[] v = waited.get(type).computeIfAbsent(key, k -> new long[2]);
                    Duration d = e.getDuration();
                    v[0] += d.toNanos();
                    v[1]++;
                }
            }
        }
        System.out.printf("== jdk.ExecutionSample: top frame (self time), share of the %d samples%n", samples);
        print(self, samples, rows);
        System.out.printf("%n== jdk.ExecutionSample: first com.catalytic frame (inclusive), share of the samples%n");
        print(inclusive, samples, rows);
        for (String w : waits) {
            System.out.printf("%n== %s (events over the recording's threshold): total time by thread group, site and "
                    + "what it waits in%n", w);
            waited.get(w).entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .limit(rows)
                    .forEach(en -> System.out.printf("%10.1f ms %8d events  %s%n", en.getValue()[0] / 1e6,
                            en.getValue()[1], en.getKey()));
        }
    }

    static void print(Map<String, Long> counts, long total, int rows) {
        counts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(rows)
                .forEach(en -> System.out.printf("%6.2f %%  %s%n", 100.0 * en.getValue() / Math.max(1, total),
                        en.getKey()));
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static boolean jdk(String name) {
        return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.");
    }

    static String firstCatalytic(List<RecordedFrame> frames, String otherwise) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("com.catalytic.")) {
                return n;
            }
        }
        return otherwise;
    }

    static String group(RecordedThread t) {
        String n = t == null ? "?" : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        return n == null ? "?" : n.replaceAll("[-#]?[0-9]+$", "");
    }
}
