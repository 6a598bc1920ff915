package io.exodus.proxy.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static io.exodus.proxy.demo.DemoConsole.count;

/**
 * The demo's verdict and the figures behind it. It passed when every step was done, no client saw an error, both
 * verifications found no divergent row, and the bank adds up: the same total balance on source and target as was
 * seeded, and on each as many history rows as the clients committed transfers (a transaction lost or applied twice on
 * one side shows there even where no row differs).
 *
 * @param failure      the step that failed and why; null when every step was done
 * @param pauses       how long new transactions were held at each switch, in order
 * @param verified     each verification of the walk
 * @param source       the bank on the source at the end; null when it could not be read
 * @param target       the same on the target
 * @param divergences  divergences dual-write counted while it ran (statements that did not agree on both sides)
 * @param phase        the phase the proxy is left in
 */
record DemoReport(String failure, LoadFigures load, List<Pause> pauses, List<Verified> verified,
        long expectedBalance, BankTotals source, BankTotals target, double divergences, String phase) {

    /** @param kind {@code sync switch}, {@code cutover}, {@code rollback} */
    record Pause(String kind, long millis) {
    }

    /**
     * @param settled rows that differed while their writes were in flight, and agreed when read again
     */
    record Verified(String when, long rows, long divergent, long settled) {
    }

    long divergentRows() {
        return verified.stream().mapToLong(Verified::divergent).sum();
    }

    boolean bankAddsUp() {
        return source != null && target != null && source.balance() == expectedBalance
                && target.balance() == expectedBalance && source.historyRows() == load.transfers()
                && target.historyRows() == load.transfers();
    }

    boolean passed() {
        return failure == null && load.errors() == 0 && divergentRows() == 0 && bankAddsUp();
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("==== Migration demo: " + (passed() ? "PASSED" : "FAILED") + " ====");
        if (failure != null) {
            lines.add(row("failed step", failure));
        }
        lines.add(row("transactions", String.format(Locale.ROOT, "%s transfers committed through the proxy in %.1f s "
                        + "(%.0f/s), %s balance reads (%s answered by the target)", count(load.transfers()),
                load.elapsed().toNanos() / 1e9, load.transfersPerSecond(), count(load.reads()),
                count(load.readsOnTarget()))));
        lines.add(row("client errors", count(load.errors())));
        load.firstErrors().forEach(error -> lines.add(row("", error)));
        lines.add(row("pauses", pauses.isEmpty() ? "none"
                : pauses.stream().map(p -> p.kind() + " " + p.millis() + " ms").collect(Collectors.joining(", "))));
        long rows = verified.stream().mapToLong(Verified::rows).sum();
        long settled = verified.stream().mapToLong(Verified::settled).sum();
        lines.add(row("rows verified", verified.isEmpty() ? "none" : count(rows) + " in " + verified.size()
                + " verifications (" + verified.stream().map(v -> v.when() + " " + count(v.rows()))
                        .collect(Collectors.joining(", ")) + ")"));
        lines.add(row("divergent rows", count(divergentRows()) + (settled == 0 ? ""
                : " (" + count(settled) + " differed while their writes were in flight and agreed when read again)")));
        lines.add(row("dual-write", String.format(Locale.ROOT, "%.0f divergences counted", divergences)));
        if (source == null || target == null) {
            lines.add(row("total balance", "not compared: " + (source == null ? "the source" : "the target")
                    + " has no bank, or it could not be read"));
        } else {
            boolean same = source.balance() == target.balance();
            lines.add(row("total balance", "source " + count(source.balance()) + ", target " + count(target.balance())
                    + ", seeded " + count(expectedBalance) + ": " + (same && source.balance() == expectedBalance
                            ? "the same" : same ? "the same on both, NOT what was seeded" : "NOT the same")));
            lines.add(row("history rows", "source " + count(source.historyRows()) + ", target "
                    + count(target.historyRows()) + ", transfers committed " + count(load.transfers())));
        }
        lines.add(row("phase", phase));
        return lines;
    }

    private static String row(String name, String value) {
        return String.format(Locale.ROOT, "%-16s %s", name, value);
    }
}
