package io.exodus.it.regress;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.exodus.it.regress.CatchUpQueue.Settled;
import io.exodus.it.regress.KnownDualWriteFailures.Verdict;
import io.exodus.it.regress.RegressionSuite.SuiteCopy;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.DatabaseComparison;
import io.exodus.testsupport.DatabaseComparison.Side;
import io.exodus.testsupport.DatabaseDifference;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.FreshServerPair;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestUsers;

/**
 * PostgreSQL's own regression suite (pg_regress, parallel_schedule, one test at a time) through Exodus, each run on
 * fresh servers: in phase direct every test passes, as it does on the server itself; in phase dual-write, under
 * both-required and under two-phase-commit, only the tests listed in the policy's known list
 * (known-dual-write-failures.txt, known-two-phase-commit-failures.txt) fail, nothing is parked that it does not name,
 * and once the catch-up queue has settled the source and the target differ only where that list says. docs/regression-suite.md says how to read the
 * report and how to run it by hand. The run straight on the source, which checks the suite against the server, is
 * optional ({@code -Dexodus.regress.direct=true}): it costs a minute and proves nothing about Exodus.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RegressionSuiteThroughExodusTest {

    private static final Path WORK = Path.of("target", "regression-suite").toAbsolutePath();
    private static final Path REPORT = WORK.resolve("report.txt");
    private static final String DATABASE = "regression";
    private static final String EXODUS_SCHEMA = "exodus";
    private static final Duration QUEUE_SETTLES_WITHIN = Duration.ofMinutes(5);
    /** How often the proxy brings the target's sequences up to the source's (exodus.migration.sequence-follow). */
    private static final Duration SEQUENCES_FOLLOW_EVERY = Duration.ofSeconds(1);
    private static final Duration PROXY_STARTS_WITHIN = Duration.ofSeconds(60);

    /**
     * The consistency policies of the dual-write runs, each judged by its own known list: both-required and
     * two-phase-commit, or the one {@code -Dexodus.regress.policy} names.
     */
    private static final String POLICIES = System.getProperty("exodus.regress.policy", "");

    private static RegressionSuite suite;

    @Test
    @Order(1)
    @EnabledIfSystemProperty(named = "exodus.regress.direct", matches = "true")
    void everyTestPassesStraightOnTheSource() throws IOException {
        try (FreshServerPair servers = FreshServerPair.start("regress-direct")) {
            RegressionRun run = runSuite("direct", servers.source(), ConnectionTarget.superuser(servers.source()));
            assertEveryTestPassed(run, servers.source());
        }
    }

    @Test
    @Order(2)
    void everyTestPassesThroughPhaseDirect() throws IOException {
        int port = FreePorts.pick();
        try (FreshServerPair servers = FreshServerPair.start("regress-phase-direct");
                ProxyProcess proxy = startProxy(servers, "direct", "both-required", port)) {
            RegressionRun run = runSuite("phase direct", servers.source(), proxyAt(port));
            assertEveryTestPassed(run, servers.source());
        }
    }

    /**
     * Under two-phase-commit the acceptance asks the same of the tests that use no temporary table (PostgreSQL refuses
     * to PREPARE a transaction that touched one); its list names those that fail.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "both-required", "two-phase-commit" })
    @Order(3)
    void throughDualWriteOnlyTheKnownTestsFailAndOnlyTheKnownDifferencesRemain(String policy) throws Exception {
        Assumptions.assumeTrue(POLICIES.isEmpty() || POLICIES.equals(policy), "only " + POLICIES + " asked for");
        int port = FreePorts.pick();
        // The both-required run keeps the folder the docs name; others get their own.
        String label = policy.equals("both-required") ? "dual-write" : "dual-write " + policy;
        try (FreshServerPair servers = FreshServerPair.start("regress-dual-write");
                ProxyProcess proxy = startProxy(servers, "dual-write", policy, port)) {
            RegressionRun run = runSuite(label, servers.source(), proxyAt(port));
            Settled queue = CatchUpQueue.awaitSettled(regression(servers.source()), QUEUE_SETTLES_WITHIN);
            // The target's sequences follow the source's every SEQUENCES_FOLLOW_EVERY: two rounds after the last write.
            Thread.sleep(SEQUENCES_FOLLOW_EVERY.multipliedBy(2).plusMillis(500).toMillis());
            long comparing = System.nanoTime();
            List<DatabaseDifference> differences = DatabaseComparison.compare(
                    new Side("source", regression(servers.source())), new Side("target", regression(servers.target())),
                    List.of(EXODUS_SCHEMA));
            Duration comparisonTook = Duration.ofNanos(System.nanoTime() - comparing);

            KnownDualWriteFailures known = KnownDualWriteFailures.load(policy);
            Verdict verdict = known.judge(run.failed(), differences, queue.parkedByError().keySet());
            Path observed = Files.writeString(run.folder().resolve("observed-dual-write-failures.txt"),
                    known.observedList(run.failed(), differences, queue.parkedByError().keySet()));
            Files.write(run.folder().resolve("differences.txt"),
                    differences.stream().map(DatabaseDifference::toString).collect(Collectors.toList()));
            String report = RegressionReport.ofDualWrite(run, versions(servers.source()), queue, differences,
                    comparisonTook, verdict, known.sourcePath(), observed).publish(REPORT);
            assertTrue(verdict.holds(), report + "proxy log: " + proxy.logFile());
        }
    }

    /** Copies the suite into a fresh folder for this run and runs it against {@code where}. */
    private static RegressionRun runSuite(String label, LocalPostgres server, ConnectionTarget where)
            throws IOException {
        Path folder = WORK.resolve(label.replace(' ', '-'));
        deleteTree(folder);
        SuiteCopy copy = suiteFor(server).copyInto(folder.resolve("suite"), server.version());
        return PgRegress.run(label, copy, where, majorVersion(server), folder.resolve("output"));
    }

    private static void assertEveryTestPassed(RegressionRun run, LocalPostgres server) {
        String report = RegressionReport.ofRun(run, versions(server)).publish(REPORT);
        assertTrue(run.failed().isEmpty(), report);
    }

    /**
     * The packaged proxy in front of the pair. Its replayer parks an entry the target refuses after 3 quick tries
     * instead of 10 spread over minutes: the suite leaves thousands of such entries, and what matters here is what
     * the queue could apply, not how patiently.
     */
    private static ProxyProcess startProxy(FreshServerPair servers, String phase, String policy, int port) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_SOURCE_URL", superuserUrl(servers.source()),
                "EXODUS_TARGET_URL", superuserUrl(servers.target()),
                "EXODUS_LISTEN_PORT", String.valueOf(port),
                "QUARKUS_HTTP_PORT", String.valueOf(FreePorts.pick()),
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", phase,
                "EXODUS_MIGRATION_POLICY", policy,
                "EXODUS_MIGRATION_PROXY_ID", "regress"));
        environment.putAll(Map.of(
                "EXODUS_REPLAY_MAX_ATTEMPTS", "3",
                "EXODUS_REPLAY_BACKOFF_BASE", "10ms",
                "EXODUS_REPLAY_BACKOFF_CAP", "100ms",
                "EXODUS_MIGRATION_SEQUENCE_FOLLOW", SEQUENCES_FOLLOW_EVERY.toMillis() + "ms"));
        ProxyProcess proxy = ProxyProcess.start(environment);
        try {
            return proxy.awaitListening(port, PROXY_STARTS_WITHIN);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    private static ConnectionTarget proxyAt(int port) {
        return ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                TestUsers.DEFAULT_DATABASE);
    }

    private static synchronized RegressionSuite suiteFor(LocalPostgres server) {
        if (suite == null) {
            suite = RegressionSuite.forServer(server.version());
        }
        return suite;
    }

    private static ConnectionTarget regression(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }

    private static String superuserUrl(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE)
                + "?sslmode=disable";
    }

    private static String versions(LocalPostgres server) {
        return "of PostgreSQL " + suiteFor(server).release() + " on a " + server.version() + " server";
    }

    private static String majorVersion(LocalPostgres server) {
        return server.version().split("\\.")[0];
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
