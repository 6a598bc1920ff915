package io.exodus.it;

import java.sql.SQLException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.cli.Exodus;
import io.exodus.cli.ExitCode;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code exodus} CLI against a real proxy (the packaged jar, control plane on) in front of the shared PostgreSQL
 * servers, from an empty target synced by {@code exodus sync}: what it prints for people and with --json, the changes
 * it makes (and their audit rows), and the exit code of each way a command can end.
 */
class CliAgainstProxyTest {
    private static final String DATABASE = "it_cli";
    private static final String TOKEN = "cli-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProxyProcess proxy;
    private static String url;
    private static int httpPort;

    /** {@code exodus sync}, run once the proxy started: it brings the empty target up and leaves dual-write on. */
    private static Run sync;

    @BeforeAll
    static void noDatabasesOfOtherClasses() throws SQLException {
        // A cutover looks through every database: those of earlier classes would only make it slower.
        TestDatabases.dropDatabasesOfOtherTests(DATABASE);
    }

    @BeforeAll
    static void startAProxyInPhaseDirectAndSyncTheTarget() {
        Support.recreateOnBoth(DATABASE);
        Support.executeDirect(on(TestDatabases.source()), "create table accounts (id int primary key, balance int not "
                + "null); insert into accounts select g, 100 from generate_series(1, 500) g");
        httpPort = FreePorts.pick();
        url = "http://127.0.0.1:" + httpPort;
        int listenPort = FreePorts.pick();
        Map<String, String> environment = new HashMap<>();
        environment.put("EXODUS_SOURCE_URL", urlOf(TestDatabases.source()));
        environment.put("EXODUS_TARGET_URL", urlOf(TestDatabases.target()));
        environment.put("EXODUS_LISTEN_PORT", String.valueOf(listenPort));
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        environment.put("EXODUS_MIGRATION_PHASE", "direct");
        environment.put("EXODUS_ADMIN_TOKEN", TOKEN);
        environment.put("EXODUS_CONTROL_ENABLED", "true");
        environment.put("EXODUS_CONTROL_FLEET", "it-cli-" + System.nanoTime());
        environment.put("EXODUS_MIGRATION_PROXY_ID", "cli_test");
        // A differing row is read again before it is reported: no writes are in flight here, so no need to wait 1 s.
        environment.put("EXODUS_VERIFY_RECHECK_DELAY", "50ms");
        // Strategies take one short step at a time here.
        environment.put("EXODUS_STRATEGY_CANARY_STEPS", "100");
        environment.put("EXODUS_STRATEGY_SOAK", "500ms");
        environment.put("EXODUS_MIGRATION_CUTOVER_MAX_VERIFICATION_AGE", Support.NO_VERIFICATION_AGE);
        proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of());
        proxy.awaitListening(listenPort, Duration.ofSeconds(60));
        assertTrue(Support.await(Duration.ofSeconds(30), () -> Support.get(httpPort, "/q/health/live")
                .isUp()), "the proxy's HTTP port answers");
        sync = exodus("sync");
    }

    @AfterAll
    static void stopTheProxy() {
        if (proxy != null) {
            proxy.close();
        }
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void syncFollowsTheCopyToDualWrite() {
        assertEquals(0, sync.exitCode(), sync::toString);
        assertTrue(sync.out().lines().anyMatch(line -> line.startsWith("sync done: 500") && line.contains("rows/s, 1/1 "
                + "tables")), "the progress shows the last reading: " + sync.out());
        assertTrue(sync.out().contains("sync done: 500 rows copied"), sync.out());
        assertTrue(sync.out().contains("the phase is dual-write"), sync.out());
        assertEquals(500, Support.queryLong(on(TestDatabases.target()), "select count(*) from accounts"));
    }

    @Test
    void statusForPeopleAndAsJson() throws IOException {
        Run people = exodus("status");
        assertEquals(0, people.exitCode(), people::toString);
        assertTrue(people.out().contains("phase:     dual-write"), people.out());
        assertTrue(people.out().contains("replica cli_test: dual-write"), people.out());

        Run script = exodus("status", "--json");
        assertEquals(0, script.exitCode(), script::toString);
        JsonNode status = JSON.readTree(script.out());
        assertEquals("dual-write", status.path("phase").asText());
        assertEquals("both-required", status.path("policy").asText());
    }

    @Test
    void phaseCanaryAndPolicyChangeEveryReplicaAndAreAudited() throws IOException {
        try {
            Run phase = exodus("phase", "canary", "--actor", "alice", "--reason", "cli test");
            assertEquals(0, phase.exitCode(), phase::toString);
            assertTrue(phase.out().contains("appliedBy: cli_test"), phase.out());
            assertEquals(0, exodus("canary", "25").exitCode());
            Run tenant = exodus("tenant", "billing app", "100");
            assertEquals(0, tenant.exitCode(), tenant::toString);
            assertTrue(tenant.out().contains("tenants: {\"billing app\":100.0}"), tenant.out());
            Run shown = exodus("status");
            assertTrue(shown.out().contains("tenants:   billing app 100"), shown.out());
            Run back = exodus("tenant", "billing app", "rollback");
            assertEquals(0, back.exitCode(), back::toString);
            assertTrue(back.out().contains("tenants: {}"), back.out());
            assertEquals(0, exodus("policy", "best-effort", "--json").exitCode());

            JsonNode status = JSON.readTree(exodus("status", "--json").out());
            assertEquals("canary", status.path("phase").asText());
            assertEquals(25.0, status.path("canaryPercent").asDouble());
            assertEquals("best-effort", status.path("policy").asText());
            assertEquals(1, Support.queryLong(on(TestDatabases.source()), "select count(*) from exodus.control_audit"
                    + " where who = 'alice' and why = 'cli test' and what = 'phase' and to_value = 'canary'"));

            Run outOfRange = exodus("canary", "150");
            assertEquals(ExitCode.USAGE.code(), outOfRange.exitCode(), outOfRange::toString);
            assertTrue(outOfRange.err().contains("HTTP 400"), outOfRange.err());
        } finally {
            assertEquals(0, exodus("phase", "dual-write").exitCode());
            assertEquals(0, exodus("policy", "both-required").exitCode());
        }
        Run notInCanary = exodus("canary", "50", "--json");
        assertEquals(ExitCode.REFUSED.code(), notInCanary.exitCode(), notInCanary::toString);
        JsonNode error = JSON.readTree(notInCanary.out());
        assertEquals(409, error.path("httpStatus").asInt());
        assertTrue(error.path("error").asText().contains("phase canary"), notInCanary.out());
    }

    @Test
    void verifyExitsZeroWhenIdenticalAndOneWithTheDifferingRows() throws IOException {
        Run identical = exodus(true, "verify", "--table", "accounts");
        assertEquals(0, identical.exitCode(), identical::toString);
        assertTrue(identical.out().contains("\rverifying 1/1 tables, 500 rows checked"), identical.out());
        assertTrue(identical.out().contains("identical: 1 table, 500 rows"), identical.out());

        // Written behind the proxy's back, as a client that bypasses it would.
        Support.executeDirect(on(TestDatabases.target()), "update accounts set balance = 0 where id = 7");
        try {
            Run differs = exodus("verify", "--table", "accounts", "--json");
            assertEquals(ExitCode.STEP_FAILED.code(), differs.exitCode(), differs::toString);
            JsonNode report = JSON.readTree(differs.out());
            assertEquals(false, report.path("identical").asBoolean());
            assertEquals(1, report.path("tables").get(0).path("different").asInt());
            assertEquals("7", report.path("tables").get(0).path("examples").get(0).path("key").path("id").asText());

            Run forPeople = exodus("verify", "--table", "accounts");
            assertEquals(ExitCode.STEP_FAILED.code(), forPeople.exitCode(), forPeople::toString);
            assertTrue(forPeople.out().contains("verifying 1/1 tables"), forPeople.out());
            assertTrue(forPeople.out().contains("public.accounts: 0 missing, 0 extra, 1 different"), forPeople.out());
            assertTrue(forPeople.err().contains("the target differs from the source"), forPeople.err());
        } finally {
            Support.executeDirect(on(TestDatabases.target()), "update accounts set balance = 100 where id = 7");
        }
        // The verifications that found the row marked the table divergent; one that finds it identical clears the
        // mark, which would hold the cutover back.
        Run again = exodus("verify", "--table", "accounts");
        assertEquals(0, again.exitCode(), again::toString);
    }

    @Test
    void aSyncOutsidePhaseDirectIsRefused() {
        Run sync = exodus("sync");
        assertEquals(ExitCode.REFUSED.code(), sync.exitCode(), sync::toString);
        assertTrue(sync.err().contains("HTTP 409"), sync.err());
    }

    @Test
    void changesWithoutTheTokenOrWithAWrongOneAreRefused() throws IOException {
        Run without = run(false, Map.of("EXODUS_ADMIN_URL", url), "phase", "direct");
        assertEquals(ExitCode.UNAUTHORIZED.code(), without.exitCode(), without::toString);
        assertTrue(without.err().contains("--token or EXODUS_ADMIN_TOKEN"), without.err());
        Run wrong = exodus("phase", "direct", "--token", "not-the-token");
        assertEquals(ExitCode.UNAUTHORIZED.code(), wrong.exitCode(), wrong::toString);
        assertEquals("dual-write", JSON.readTree(exodus("status", "--json").out()).path("phase").asText());
    }

    @Test
    void anUnreachableProxyHasItsOwnExitCode() {
        Run nothing = exodus("status", "--url", "http://127.0.0.1:" + FreePorts.pick());
        assertEquals(ExitCode.UNREACHABLE.code(), nothing.exitCode(), nothing::toString);
        assertTrue(nothing.err().contains("connection refused"), nothing.err());
    }

    @Test
    void cutoverAndRollbackMoveThePrimaryAndARefusalHasItsExitCode() throws Exception {
        Run unknown = exodus("cutover", "--long-transactions", "kill");
        assertTrue(unknown.exitCode() != ExitCode.OK.code() && unknown.err().contains("abort, cancel, wait"),
                unknown::toString);
        Run cutover = exodus("cutover", "--reason", "cli test", "--long-transactions", "cancel");
        assertEquals(ExitCode.OK.code(), cutover.exitCode(), cutover::toString);
        assertTrue(cutover.out().contains("primary: target"), cutover.out());
        assertEquals("target", JSON.readTree(exodus("status", "--json").out()).path("primary").asText());
        Run again = exodus("cutover");
        assertEquals(ExitCode.REFUSED.code(), again.exitCode(), again::toString);
        assertTrue(again.err().contains("phase cutover"), again.err());
        Run rollback = exodus("rollback", "--json");
        assertEquals(ExitCode.OK.code(), rollback.exitCode(), rollback::toString);
        assertEquals("source", JSON.readTree(rollback.out()).path("primary").asText());
        assertEquals("dual-write", JSON.readTree(exodus("status", "--json").out()).path("phase").asText());
    }

    @Test
    void aCommandThisProxyDoesNotServeSaysSo() {
        // A path prefix that the proxy does not serve stands for a proxy of a version without the endpoint.
        Run cutover = exodus("cutover", "--url", url + "/older");
        assertEquals(ExitCode.UNSUPPORTED.code(), cutover.exitCode(), cutover::toString);
        assertTrue(cutover.err().contains("this proxy does not support cutover (HTTP 404)"), cutover.err());
    }

    @Test
    void aStrategyIsFollowedToItsEndAndOneThatCannotRunHasItsExitCode() throws Exception {
        try {
            Run canary = exodus("strategy", "canary", "--reason", "cli test");
            assertEquals(ExitCode.OK.code(), canary.exitCode(), canary::toString);
            assertTrue(canary.out().contains("strategy canary done"), canary.out());
            assertEquals("target", JSON.readTree(exodus("status", "--json").out()).path("primary").asText());
            Run again = exodus("strategy", "big-bang");
            assertEquals(ExitCode.REFUSED.code(), again.exitCode(), again::toString);
            assertTrue(again.err().contains("phase cutover"), again.err());
            Run unknown = exodus("strategy", "sideways");
            assertEquals(ExitCode.USAGE.code(), unknown.exitCode(), unknown::toString);
        } finally {
            exodus("rollback");
        }
        assertEquals("dual-write", JSON.readTree(exodus("status", "--json").out()).path("phase").asText());
    }

    @Test
    void theLauncherRunsTheShippedJarWithTheEnvironmentsUrlAndToken() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(System.getProperty("exodus.cli.launcher"), "status", "--json")
                .redirectErrorStream(true);
        builder.environment().put("EXODUS_ADMIN_URL", url);
        builder.environment().put("EXODUS_ADMIN_TOKEN", TOKEN);
        builder.environment().put("EXODUS_CLI_JAR", System.getProperty("exodus.cli.jar"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertEquals("dual-write", JSON.readTree(output).path("phase").asText());
    }

    @Test
    void thePackagedProxyDescribesItsAdminApiAtQOpenapi() {
        Support.HttpAnswer document = Support.get(httpPort, "/q/openapi?format=json");
        assertEquals(200, document.status(), document.body());
        for (String path : List.of("\"/exodus/migration\"", "\"/exodus/migration/phase\"",
                "\"/exodus/migration/verify\"", "\"/exodus/migration/sync\"", "\"admin-token\"")) {
            assertTrue(document.body().contains(path), path + " in " + document.body());
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run exodus(String... args) {
        return exodus(false, args);
    }

    private static Run exodus(boolean terminal, String... args) {
        return run(terminal, Map.of("EXODUS_ADMIN_URL", url, "EXODUS_ADMIN_TOKEN", TOKEN), args);
    }

    private static Run run(boolean terminal, Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Exodus.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment, terminal);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static ConnectionTarget on(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }

    private static String urlOf(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE) + "?sslmode=disable";
    }
}
