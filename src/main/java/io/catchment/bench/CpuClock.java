package io.catchment.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM and, when its PID is given and readable in {@code /proc}, of a local server (ClickHouse), so a
 * benchmark can say how much of the machine a phase used and who used it.
 */
final class CpuClock {
    /** Linux's USER_HZ: {@code /proc/PID/stat} counts CPU time in ticks of 1/100 s. */
    private static final double TICKS_PER_SECOND = 100;

    private final long serverPid;
    private final String server;

    /** @param serverPid the server's PID, or 0 for none; {@code server} names it in the report */
    CpuClock(long serverPid, String server) {
        this.serverPid = serverPid;
        this.server = server;
    }

    /** CPU seconds so far: [0] this JVM, [1] the server (NaN when there is none or it cannot be read). */
    double[] now() {
        double jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
        return new double[] {jvm, serverPid > 0 ? server(serverPid) : Double.NaN};
    }

    /** One line on the CPU a phase of {@code wallSeconds} used from {@code start} to {@code end} (both from now()). */
    String used(double[] start, double[] end, double wallSeconds) {
        double jvm = end[0] - start[0];
        double srv = end[1] - start[1];
        double both = jvm + (Double.isNaN(srv) ? 0 : srv);
        int cores = Runtime.getRuntime().availableProcessors();
        return String.format(
                "  CPU: this JVM %.1f CPU-s%s = %.0f%% of %d cores over %.2f s",
                jvm,
                Double.isNaN(srv) ? "" : String.format(", %s %.1f CPU-s, both %.1f", server, srv, both),
                100 * both / (wallSeconds * cores),
                cores,
                wallSeconds);
    }

    /** utime + stime of a process, from {@code /proc/PID/stat}; NaN when unreadable (not Linux, gone). */
    static double server(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND; // fields 14 and 15 of stat
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
