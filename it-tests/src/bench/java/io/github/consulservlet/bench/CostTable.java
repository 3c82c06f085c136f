package io.github.consulservlet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The costs of {@link CostOfCalls} as the Markdown table of {@code docs/benchmarks.md}, one row
 * per client, endpoint and server, with ours against the peer best at each figure and the floor, and the
 * design's goal for each of our rows: no more than the best peer, and at most twice the floor.
 */
final class CostTable {
    static final String BEGIN = "<!-- bench:cost -->";
    static final String END = "<!-- /bench:cost -->";
    private static final double FLOOR_FACTOR = 2;

    private CostTable() {
    }

    static List<String> markdown(List<CostOfCalls.Cost> costs, String footer) {
        List<String> table = new ArrayList<>();
        table.add("| server | call | client | CPU µs per call | bytes allocated per call | ours ÷ best peer (CPU, bytes) | ours ÷ floor (CPU, bytes) | goal |");
        table.add("|---|---|---|---:|---:|---:|---:|---|");
        for (String server : List.of("real agent", "static server")) {
            for (Endpoint endpoint : Endpoint.values()) {
                CostOfCalls.Cost ours = CostOfCalls.of(costs, server, endpoint, "ours");
                CostOfCalls.Cost cpu = CostOfCalls.bestPeer(costs, server, endpoint, CostOfCalls.Cost::cpuMicros);
                CostOfCalls.Cost bytes = CostOfCalls.bestPeer(costs, server, endpoint, CostOfCalls.Cost::bytes);
                CostOfCalls.Cost floor = CostOfCalls.of(costs, server, endpoint, "floor");
                for (String client : CostOfCalls.CLIENTS) {
                    CostOfCalls.Cost cost = CostOfCalls.of(costs, server, endpoint, client);
                    boolean isOurs = client.equals("ours");
                    table.add(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %,.0f | %s | %s | %s |", server,
                            endpoint.title, client, cost.cpuMicros(), cost.bytes(),
                            isOurs ? ratio(ours.cpuMicros(), cpu.cpuMicros()) + ", " + ratio(ours.bytes(), bytes.bytes()) : "",
                            isOurs ? ratio(ours.cpuMicros(), floor.cpuMicros()) + ", " + ratio(ours.bytes(), floor.bytes()) : "",
                            isOurs ? verdict(ours, cpu, bytes, floor) : ""));
                }
            }
        }
        table.add("");
        table.add(footer);
        return table;
    }

    /** Whether ours meets the goal against the peers best at CPU and at bytes, and on which figure it does not. */
    static String verdict(CostOfCalls.Cost ours, CostOfCalls.Cost cpu, CostOfCalls.Cost bytes, CostOfCalls.Cost floor) {
        List<String> missed = new ArrayList<>();
        if (ours.cpuMicros() > cpu.cpuMicros()) {
            missed.add("CPU above " + cpu.client());
        }
        if (ours.bytes() > bytes.bytes()) {
            missed.add("bytes above " + bytes.client());
        }
        if (ours.cpuMicros() > FLOOR_FACTOR * floor.cpuMicros()) {
            missed.add("CPU above 2× floor");
        }
        if (ours.bytes() > FLOOR_FACTOR * floor.bytes()) {
            missed.add("bytes above 2× floor");
        }
        return missed.isEmpty() ? "met" : "not met: " + String.join(", ", missed);
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    /** Replaces the table between {@link #BEGIN} and {@link #END} in {@code doc}. */
    static void rewrite(Path doc, List<String> table) throws IOException {
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(doc + " has no " + BEGIN + " ... " + END + " block to rewrite");
        }
        Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + "\n" + String.join("\n", table) + "\n"
                + text.substring(end));
    }
}
