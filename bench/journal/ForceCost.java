import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one forced append costs the usage journal (docs/PERFORMANCE.md, "Metering"): 5,000 appends of 2,000 bytes
 * (about five calls' lines), each followed by force(false) (fdatasync), first to a growing file, then to a file
 * written full of zeros beforehand (what UsageLog does). Prints wall time and CPU time of the writing thread per
 * append; the kernel's work for the force on behalf of the thread is in the CPU figure.
 *
 *   java bench/journal/ForceCost.java [directory on the disk to measure, default: the system temp directory]
 */
public class ForceCost {

    private static final int APPENDS = 5_000;
    private static final byte[] LINE = new byte[2_000];

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        Path growing = Files.createTempFile(dir, "force-growing-", ".log");
        Path prepared = Files.createTempFile(dir, "force-prepared-", ".log");
        try {
            for (int round = 1; round <= 2; round++) {
                measure("growing file ", growing, false, round);
                measure("prepared file", prepared, true, round);
            }
        } finally {
            Files.deleteIfExists(growing);
            Files.deleteIfExists(prepared);
        }
    }

    private static void measure(String label, Path file, boolean prepare, int round) throws Exception {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (prepare) {
                ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                for (long at = 0; at < (long) APPENDS * LINE.length; at += zeros.capacity()) {
                    zeros.clear();
                    while (zeros.hasRemaining()) {
                        c.write(zeros, at + zeros.position());
                    }
                }
                c.force(true);
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long at = 0;
            for (int i = 0; i < APPENDS; i++) {
                ByteBuffer b = ByteBuffer.wrap(LINE);
                while (b.hasRemaining()) {
                    at += c.write(b, at);
                }
                c.force(false);
            }
            long wall = System.nanoTime() - wall0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            System.out.printf("round %d, %s: %.1f µs wall, %.1f µs CPU per forced append%n", round, label,
                    wall / 1e3 / APPENDS, cpu / 1e3 / APPENDS);
        }
    }
}
