package io.exodus.proxy.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verdict command 1's exit code follows: passed only when every figure says so. */
class DemoReportTest {
    private static final long SEEDED = 5_000_000;
    private static final LoadFigures LOAD = new LoadFigures(1200, 1200, 300, 0, Duration.ofSeconds(10), List.of());
    private static final List<DemoReport.Pause> PAUSES = List.of(new DemoReport.Pause("sync switch", 90),
            new DemoReport.Pause("cutover", 80), new DemoReport.Pause("rollback", 70),
            new DemoReport.Pause("cutover", 60));
    private static final List<DemoReport.Verified> IDENTICAL = List.of(
            new DemoReport.Verified("under load", 6000, 0, 3), new DemoReport.Verified("at rest", 6200, 0, 0));
    private static final BankTotals BANK = new BankTotals(SEEDED, 1200);

    @Test
    void aWalkWithEveryStepDoneNoClientErrorAndIdenticalDatabasesPasses() {
        DemoReport report = report(null, LOAD, IDENTICAL, BANK, BANK);
        assertTrue(report.passed());
        List<String> lines = report.lines();
        assertEquals("==== Migration demo: PASSED ====", lines.get(0));
        assertTrue(lines.contains("client errors    0"), String.join("\n", lines));
        assertTrue(lines.contains("pauses           sync switch 90 ms, cutover 80 ms, rollback 70 ms, cutover 60 ms"),
                String.join("\n", lines));
        assertTrue(lines.contains("total balance    source 5,000,000, target 5,000,000, seeded 5,000,000: the same"),
                String.join("\n", lines));
        assertTrue(lines.contains("transactions     1,200 transfers committed through the proxy in 10.0 s (120/s), "
                + "1,200 balance reads (300 answered by the target)"), String.join("\n", lines));
    }

    @Test
    void aFailedStepFailsTheDemoAndIsNamed() {
        DemoReport report = report("[3/14] initial sync: no pg_dump", LOAD, List.of(), BANK, null);
        assertFalse(report.passed());
        assertEquals("==== Migration demo: FAILED ====", report.lines().get(0));
        assertEquals("failed step      [3/14] initial sync: no pg_dump", report.lines().get(1));
    }

    @Test
    void oneClientErrorFailsTheDemo() {
        LoadFigures oneError = new LoadFigures(1200, 1200, 300, 1, Duration.ofSeconds(10),
                List.of("client 2, transfer: 40001 could not serialize access"));
        DemoReport report = report(null, oneError, IDENTICAL, BANK, BANK);
        assertFalse(report.passed());
        assertTrue(report.lines().contains("                 client 2, transfer: 40001 could not serialize access"),
                String.join("\n", report.lines()));
    }

    @Test
    void oneDivergentRowFailsTheDemo() {
        List<DemoReport.Verified> oneDifferent = List.of(new DemoReport.Verified("at rest", 6200, 1, 0));
        assertFalse(report(null, LOAD, oneDifferent, BANK, BANK).passed());
    }

    @Test
    void aTransferLostOnBothSidesFailsTheDemoEvenWhereNoRowDiffers() {
        // Identical databases that both miss a committed transfer: only the history against the clients' count shows it.
        BankTotals oneShort = new BankTotals(SEEDED, 1199);
        assertFalse(report(null, LOAD, IDENTICAL, oneShort, oneShort).passed());
    }

    @Test
    void moneyMadeOnOneSideFailsTheDemo() {
        DemoReport report = report(null, LOAD, IDENTICAL, BANK, new BankTotals(SEEDED + 1, 1200));
        assertFalse(report.passed());
        assertTrue(report.lines().contains("total balance    source 5,000,000, target 5,000,001, seeded 5,000,000: "
                + "NOT the same"), String.join("\n", report.lines()));
    }

    private static DemoReport report(String failure, LoadFigures load, List<DemoReport.Verified> verified,
            BankTotals source, BankTotals target) {
        return new DemoReport(failure, load, PAUSES, verified, SEEDED, source, target, 0, "source-retired");
    }
}
