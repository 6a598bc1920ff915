package io.exodus.proxy.dualwrite;

import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.StatementClass;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase dual-write: {@code exodus.requests} counts the client's requests under the statement class phase direct
 * would give them, and {@code exodus.leg.requests} tags what each leg ran with its class (Exodus's own BEGIN and
 * COMMIT included). Each test counts what its own session added; the tests of this profile run one at a time.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteStatementClassesTest {
    private static final String DATABASE = "dw_classes";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table items (id int primary key, name text)");
    }

    @Test
    void simpleQueriesAreCountedByClassInPhaseDualWrite() throws SQLException {
        try (Connection connection = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "preferQueryMode", "simple"); Statement statement = connection.createStatement()) {
            Map<StatementClass, Long> before = requests("simple");
            statement.execute("insert into items values (100, 'simple')");
            try (ResultSet rows = statement.executeQuery("select count(*) from items")) {
                assertTrue(rows.next());
            }
            statement.execute("begin");
            statement.execute("update items set name = 'changed' where id = 100");
            statement.execute("commit");
            statement.execute("set application_name = 'dual-write classes'");
            statement.execute("delete from items where id = 100");

            assertCounts(added(before, Map.of(StatementClass.WRITE, 3L, StatementClass.READ, 1L,
                    StatementClass.TRANSACTION, 2L, StatementClass.SESSION, 1L)), "simple");
        }
    }

    @Test
    void preparedStatementsAreCountedByClassAndTheLegsTagWhatTheyRan() throws SQLException {
        try (Connection connection = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "prepareThreshold", "2")) {
            Map<StatementClass, Long> before = requests("extended");
            long secondaryWritesBefore = legs(secondary(), "secondary", StatementClass.WRITE);
            long secondaryTransactionsBefore = legs(secondary(), "secondary", StatementClass.TRANSACTION);
            long primaryReadsBefore = legs(primary(), "primary", StatementClass.READ);
            long primaryWritesBefore = legs(primary(), "primary", StatementClass.WRITE);
            try (PreparedStatement insert = connection.prepareStatement("insert into items values (?, ?)");
                    PreparedStatement select = connection.prepareStatement("select name from items where id = ?")) {
                for (int i = 1; i <= 4; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row " + i);
                    assertEquals(1, insert.executeUpdate());
                }
                for (int i = 1; i <= 3; i++) {
                    select.setInt(1, i);
                    try (ResultSet rows = select.executeQuery()) {
                        assertTrue(rows.next());
                    }
                }
                connection.setAutoCommit(false);
                for (int i = 5; i <= 6; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row " + i);
                    assertEquals(1, insert.executeUpdate());
                }
                connection.commit();
                connection.setAutoCommit(true);
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("create index items_name on items (name)");
                statement.execute("set application_name = 'dual-write classes'");
            }

            assertCounts(added(before, Map.of(StatementClass.WRITE, 6L, StatementClass.READ, 3L,
                    StatementClass.TRANSACTION, 1L, StatementClass.DDL, 1L, StatementClass.SESSION, 1L)), "extended");
            // How Exodus splits a request between the legs is its own business; what each leg ran is classed. The
            // secondary may finish after the client has its answer: wait for it.
            assertTrue(eventually(() -> legs(secondary(), "secondary", StatementClass.WRITE) >= secondaryWritesBefore + 6),
                    "every write reached the secondary");
            assertTrue(eventually(() -> legs(secondary(), "secondary", StatementClass.TRANSACTION)
                    > secondaryTransactionsBefore), "the COMMIT reached the secondary");
            assertTrue(legs(primary(), "primary", StatementClass.READ) >= primaryReadsBefore + 3,
                    "reads ran on the primary");
            assertTrue(legs(primary(), "primary", StatementClass.WRITE) >= primaryWritesBefore + 6);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "items");
    }

    /**
     * Issue 15's lock-hold breakdown: a transaction that wrote on both databases reports, in {@code
     * exodus.commit.steps}, each step through which its rows stayed locked on the primary, and the whole; the steps
     * follow one another within the whole.
     */
    @Test
    void theStepsThroughWhichATransactionsRowsStayLockedAreTimed() throws SQLException {
        Map<String, double[]> before = commitSteps();
        try (Connection connection = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("insert into items values (200, 'locked')");
                statement.execute("update items set name = 'still locked' where id = 200");
            }
            connection.commit();
        }
        Map<String, double[]> after = commitSteps();
        List<String> steps = List.of("after-last-write", "primary-read", "secondary-commit", "primary-commit");
        double stepsNanos = 0;
        for (String step : steps) {
            assertEquals(count(before, step) + 1, count(after, step), step + ": " + after.keySet());
            stepsNanos += nanos(after, step) - nanos(before, step);
        }
        assertEquals(count(before, "held") + 1, count(after, "held"));
        double heldNanos = nanos(after, "held") - nanos(before, "held");
        assertTrue(heldNanos > 0 && stepsNanos <= heldNanos, "the steps (" + stepsNanos + " ns) within the whole ("
                + heldNanos + " ns)");
        DualWriteDatabases.assertIdentical(DATABASE, "items");
    }

    /** {@code exodus.commit.steps} of the policy these tests run, by step: its count and total time in ns, now. */
    private Map<String, double[]> commitSteps() {
        Map<String, double[]> steps = new HashMap<>();
        for (Timer timer : registry.find(ExodusMeters.COMMIT_STEPS).tag(ExodusMeters.TAG_POLICY, "both-required")
                .timers()) {
            steps.put(timer.getId().getTag(ExodusMeters.TAG_STEP),
                    new double[] { timer.count(), timer.totalTime(TimeUnit.NANOSECONDS) });
        }
        return steps;
    }

    private static long count(Map<String, double[]> steps, String step) {
        return (long) steps.getOrDefault(step, new double[2])[0];
    }

    private static double nanos(Map<String, double[]> steps, String step) {
        return steps.getOrDefault(step, new double[2])[1];
    }

    /**
     * Asserts the counts of this protocol's requests, once they stop changing towards them: the ReadyForQuery of a
     * request may reach the client a moment before the relay has timed it.
     */
    private void assertCounts(Map<StatementClass, Long> expected, String protocol) {
        eventually(() -> expected.equals(requests(protocol)));
        assertEquals(expected, requests(protocol), protocol + " requests by statement class");
    }

    /** Whether the condition holds within 5 s. */
    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** {@code exodus.requests} of this protocol in the running phase (dual-write, or cutover), by statement class. */
    private Map<StatementClass, Long> requests(String protocol) {
        Map<StatementClass, Long> counts = new EnumMap<>(StatementClass.class);
        for (StatementClass statementClass : StatementClass.values()) {
            counts.put(statementClass, sum(registry.find(ExodusMeters.REQUESTS)
                    .tag(ExodusMeters.TAG_PROTOCOL, protocol)
                    .tag(ExodusMeters.TAG_PHASE, Arc.container().instance(MigrationState.class).get().phase()
                            .configName())
                    .tag(ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue())));
        }
        return counts;
    }

    private long legs(String endpoint, String role, StatementClass statementClass) {
        return sum(registry.find(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_ENDPOINT, endpoint)
                .tag(ExodusMeters.TAG_ROLE, role).tag(ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue()));
    }

    private static long sum(Search search) {
        return search.timers().stream().mapToLong(Timer::count).sum();
    }

    private static Map<StatementClass, Long> added(Map<StatementClass, Long> before, Map<StatementClass, Long> added) {
        Map<StatementClass, Long> expected = new EnumMap<>(before);
        added.forEach((statementClass, count) -> expected.merge(statementClass, count, Long::sum));
        return expected;
    }

    /** The endpoint the legs' tag names for the primary in the running proxy's phase. */
    private static String primary() {
        return DualWriteDatabases.primarySide().configName();
    }

    private static String secondary() {
        return DualWriteDatabases.primarySide().other().configName();
    }
}
