package io.github.consulservlet.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A JVM of its own for one client against one server: calls every {@link Endpoint} in turn on one
 * thread for a warm-up, then each in three timed rounds, and prints per round what one call cost this whole
 * process, its other threads included: CPU time (the process's, so the I/O threads of an
 * asynchronous client count) and bytes allocated by every thread, as JMH's {@code -prof gc}
 * counts them ({@code gc.alloc.rate.norm}). The server runs in another process, so none of its
 * cost is here.
 *
 * <p>Arguments: the client ({@code ours}, {@code kiwiproject}, {@code ecwid} or {@code floor}),
 * the server's {@code host:port}, the warm-up and the measured seconds per endpoint.
 * A client's check of what it read is in {@link Caller}: a wrong answer ends the run.
 */
public final class CallCost {
    static final String RESULT = "RESULT";
    private static final int ROUNDS = 3;

    private CallCost() {
    }

    public static void main(String[] args) throws Exception {
        String client = args[0];
        String server = args[1];
        double warmUpSeconds = Double.parseDouble(args[2]);
        double measuredSeconds = Double.parseDouble(args[3]);
        try (Caller caller = Caller.of(client, server)) {
            // every call in turn first, so that code they share is compiled before the first is measured
            long until = System.nanoTime() + (long) (warmUpSeconds * Endpoint.values().length * 1e9);
            while (System.nanoTime() < until) {
                for (Endpoint endpoint : Endpoint.values()) {
                    caller.call(endpoint);
                }
            }
            for (Endpoint endpoint : Endpoint.values()) {
                callFor(caller, endpoint, 1);
                for (int round = 0; round < ROUNDS; round++) {
                    // a round of seconds, not of calls: the process's CPU time moves in ticks of milliseconds
                    long cpu = processCpuNanos();
                    long allocated = allocatedBytes();
                    long calls = callFor(caller, endpoint, measuredSeconds / ROUNDS);
                    double cpuPerCall = (double) (processCpuNanos() - cpu) / calls;
                    double bytesPerCall = (double) (allocatedBytes() - allocated) / calls;
                    System.out.printf(Locale.ROOT, "%s %s %s %.1f %.0f %d%n", RESULT, endpoint.name(), client,
                            cpuPerCall, bytesPerCall, calls);
                }
            }
        }
        System.out.flush();
        System.exit(0); // peers' pools may leave non-daemon threads behind
    }

    private static long callFor(Caller caller, Endpoint endpoint, double seconds) throws Exception {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        long calls = 0;
        while (System.nanoTime() < until) {
            caller.call(endpoint);
            calls++;
        }
        return calls;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** What every live thread has allocated so far (a thread that ended meanwhile is not counted: none should). */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    /** One line of the output: the cost of one call in one round. */
    record Measured(Endpoint endpoint, String client, double cpuNanos, double bytes) {
        static List<Measured> parse(List<String> lines) {
            List<Measured> measured = new ArrayList<>();
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length == 6 && f[0].equals(RESULT)) {
                    measured.add(new Measured(Endpoint.valueOf(f[1]), f[2], Double.parseDouble(f[3]),
                            Double.parseDouble(f[4])));
                }
            }
            return measured;
        }
    }
}
