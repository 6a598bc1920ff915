package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;

/**
 * README command 1 run to its end: the jar on its embedded default seeds a bank on its source, runs clients through
 * its own listen port, walks the whole migration under them (sync, verification, canary, cutover, rollback, cutover,
 * the source retired), reports, and with {@code EXODUS_DEMO_EXIT=true} exits with the report's verdict. A smaller
 * bank and shorter soaks than a newcomer gets, the same steps.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MigrationDemoTest {
    private static final List<String> STEPS = List.of("seed", "load", "initial sync", "verify", "canary 5 %",
            "canary 25 %", "canary 50 %", "canary 100 %", "cutover", "rollback", "cutover", "load stopped",
            "final verify", "retire-source");
    private static final Pattern STEP_LINE = Pattern.compile("\\[ ?(\\d+)/14] (.+?) {2,}\\d+\\.\\d s ");
    private static final Pattern TRANSACTIONS = Pattern.compile(
            "transactions +([\\d,]+) transfers committed .* \\(([\\d,]+) answered by the target\\)");
    private static final Pattern PAUSES = Pattern.compile(
            "pauses +sync switch (\\d+) ms, cutover (\\d+) ms, rollback (\\d+) ms, cutover (\\d+) ms");
    private static final Pattern HISTORY = Pattern.compile(
            "history rows +source ([\\d,]+), target ([\\d,]+), transfers committed ([\\d,]+)");

    @Test
    void commandOneWalksTheWholeMigrationUnderLoadAndExitsWithItsVerdict() {
        try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), demo(2000), List.of())) {
            long started = System.nanoTime();
            boolean exited = Support.await(Duration.ofSeconds(150), () -> !proxy.isAlive());
            System.out.printf("MigrationDemoTest: the demo and the exit took %d s%n",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            assertTrue(exited, Support.withLog(proxy, "command 1 with EXODUS_DEMO_EXIT=true did not exit within 150 s"));
            String log = proxy.logText();
            assertEquals(0, proxy.exitCode().getAsInt(), Support.withLog(proxy, "exit code of a passed demo"));

            List<String> steps = STEP_LINE.matcher(log).results().map(step -> step.group(2).strip()).toList();
            assertEquals(STEPS, steps, Support.withLog(proxy, "one line per step, in order"));
            assertTrue(log.contains("==== Migration demo: PASSED ===="), Support.withLog(proxy, "the verdict"));
            assertTrue(reportSays(log, "client errors +0"), Support.withLog(proxy, "no client error"));
            assertTrue(reportSays(log, "divergent rows +0( \\(.*\\))?"), Support.withLog(proxy, "no divergent row"));
            assertTrue(reportSays(log, "total balance +source ([\\d,]+), target \\1, seeded \\1: the same"),
                    Support.withLog(proxy, "the same total balance on both, the one seeded"));
            assertTrue(reportSays(log, "phase +source-retired"), Support.withLog(proxy, "the phase it is left in"));
            assertFalse(log.contains(" ERROR "), Support.withLog(proxy, "no ERROR line in a passed demo"));

            Matcher transactions = find(proxy, TRANSACTIONS);
            assertTrue(number(transactions.group(1)) > 0, Support.withLog(proxy, "transfers committed"));
            assertTrue(number(transactions.group(2)) > 0, Support.withLog(proxy, "canary reads on the target"));
            Matcher history = find(proxy, HISTORY);
            assertEquals(number(history.group(3)), number(history.group(1)), "a history row per transfer: source");
            assertEquals(number(history.group(3)), number(history.group(2)), "a history row per transfer: target");
            Matcher pauses = find(proxy, PAUSES);
            System.out.printf("MigrationDemoTest: %s transfers; pauses: sync switch %s ms, cutover %s ms, "
                    + "rollback %s ms, cutover %s ms%n", transactions.group(1), pauses.group(1), pauses.group(2),
                    pauses.group(3), pauses.group(4));
        }
    }

    /**
     * A fresh machine with a JDK alone has no pg_dump (the embedded servers ship none), which the initial sync needs:
     * the demo then seeds both sides the same way before its clients start, and passes all the same.
     */
    @Test
    void withoutPgDumpTheDemoSeedsBothSidesAndStillPasses() {
        Map<String, String> environment = demo(500);
        // Where no pg_dump is: as on a machine without PostgreSQL's client programs.
        environment.put("EXODUS_SYNC_PG_BIN", System.getProperty("java.io.tmpdir"));
        try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
            assertTrue(Support.await(Duration.ofSeconds(150), () -> !proxy.isAlive()),
                    Support.withLog(proxy, "command 1 with EXODUS_DEMO_EXIT=true did not exit within 150 s"));
            String log = proxy.logText();
            assertEquals(0, proxy.exitCode().getAsInt(), Support.withLog(proxy, "exit code of a passed demo"));
            assertEquals(STEPS, STEP_LINE.matcher(log).results().map(step -> step.group(2).strip()).toList(),
                    Support.withLog(proxy, "one line per step, in order"));
            assertTrue(log.contains("on the source and on the target") && log.contains("holds no pg_dump"),
                    Support.withLog(proxy, "the seed says why it seeded both sides"));
            assertTrue(log.contains("==== Migration demo: PASSED ===="), Support.withLog(proxy, "the verdict"));
            assertTrue(reportSays(log, "divergent rows +0( \\(.*\\))?"), Support.withLog(proxy, "no divergent row"));
            assertTrue(reportSays(log, "client errors +0"), Support.withLog(proxy, "no client error"));
        }
    }

    /** Command 1 as the README runs it, exiting with its verdict, on a bank of {@code accounts} and 1 s steps. */
    private static Map<String, String> demo(int accounts) {
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("EXODUS_LISTEN_PORT", String.valueOf(FreePorts.pick()));
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(FreePorts.pick()));
        // As command 1 runs it: ProxyProcess turns the control plane off for proxies on shared servers.
        environment.put("EXODUS_CONTROL_ENABLED", "true");
        environment.put("EXODUS_DEMO_EXIT", "true");
        environment.put("EXODUS_DEMO_ACCOUNTS", String.valueOf(accounts));
        environment.put("EXODUS_DEMO_STEP_SOAK", "1s");
        return environment;
    }

    /** A line of the report, whole: {@code line} is a regular expression after the log line's prefix. */
    private static boolean reportSays(String log, String line) {
        return Pattern.compile("\\[io\\.ex\\.pr\\.demo] " + line + "$", Pattern.MULTILINE).matcher(log).find();
    }

    private static Matcher find(ProxyProcess proxy, Pattern pattern) {
        Matcher matcher = pattern.matcher(proxy.logText());
        assertTrue(matcher.find(), Support.withLog(proxy, "a report line like " + pattern));
        return matcher;
    }

    private static long number(String grouped) {
        return Long.parseLong(grouped.replace(",", ""));
    }
}
