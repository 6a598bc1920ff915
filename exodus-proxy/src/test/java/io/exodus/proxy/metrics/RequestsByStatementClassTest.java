package io.exodus.proxy.metrics;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

import static io.exodus.proxy.metrics.ProxyTraffic.bind;
import static io.exodus.proxy.metrics.ProxyTraffic.closeStatement;
import static io.exodus.proxy.metrics.ProxyTraffic.describePortal;
import static io.exodus.proxy.metrics.ProxyTraffic.execute;
import static io.exodus.proxy.metrics.ProxyTraffic.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase direct: known traffic through the proxy to the real source is counted in {@code exodus.requests} under the
 * statement class of each request, exactly. Other tests of this profile relay traffic too, so each test counts what
 * its own sessions added (the tests of a class run one after the other).
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class RequestsByStatementClassTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MeterRegistry registry;

    @Test
    void simpleQueriesAreCountedByTheLeadingKeywordsOfTheirStatements() throws Exception {
        Map<StatementClass, Long> before = counts(RequestProtocol.SIMPLE);
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            assertNull(traffic.simpleQuery("drop table if exists classes_simple"));
            assertNull(traffic.simpleQuery("create table classes_simple (id int primary key, name text)"));
            assertNull(traffic.simpleQuery("select 1"));
            assertNull(traffic.simpleQuery("-- the time\nSELECT now()"));
            assertNull(traffic.simpleQuery("(select 3)"));
            assertNull(traffic.simpleQuery("insert into classes_simple values (1, 'one')"));
            assertNull(traffic.simpleQuery("/* two */ INSERT INTO classes_simple VALUES (2, 'two')"));
            assertNull(traffic.simpleQuery("begin"));
            assertNull(traffic.simpleQuery("update classes_simple set name = 'uno' where id = 1"));
            assertNull(traffic.simpleQuery("commit"));
            assertNull(traffic.simpleQuery("set application_name = 'statement classes'"));
            assertNull(traffic.simpleQuery("begin; delete from classes_simple where id = 2; commit"));
            assertNull(traffic.simpleQuery("copy classes_simple to stdout"));
            assertNull(traffic.simpleQuery(""));
        }
        assertAdded(RequestProtocol.SIMPLE, before, Map.of(StatementClass.DDL, 2L, StatementClass.READ, 3L,
                StatementClass.WRITE, 4L, StatementClass.TRANSACTION, 2L, StatementClass.SESSION, 1L,
                StatementClass.COPY, 1L, StatementClass.OTHER, 1L));
    }

    @Test
    void extendedRequestsTakeTheClassOfTheStatementsTheyExecuteNamedOrNot() throws Exception {
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            assertNull(traffic.simpleQuery("drop table if exists classes_extended"));
            assertNull(traffic.simpleQuery("create table classes_extended (id int primary key, name text)"));
            Map<StatementClass, Long> before = counts(RequestProtocol.EXTENDED);
            // Prepared once, executed by name three times.
            assertNull(traffic.extended(parse("ins", "insert into classes_extended values ($1, $2)")));
            for (int i = 1; i <= 3; i++) {
                assertNull(traffic.extended(bind("", "ins", String.valueOf(i), "row " + i), execute("")));
            }
            // A named portal, then the unnamed one twice.
            assertNull(traffic.extended(parse("sel", "select name from classes_extended where id = $1"),
                    bind("cursor", "sel", "1"), execute("cursor")));
            for (int i = 2; i <= 3; i++) {
                assertNull(traffic.extended(bind("", "sel", String.valueOf(i)), describePortal(""), execute("")));
            }
            // Closed, the statement is forgotten: PostgreSQL refuses it and the request is other.
            assertNull(traffic.extended(closeStatement("sel")));
            assertEquals("26000", traffic.extended(bind("", "sel", "1"), execute("")));
            assertNull(traffic.extendedQuery("set search_path = public"));

            assertAdded(RequestProtocol.EXTENDED, before, Map.of(StatementClass.WRITE, 4L, StatementClass.READ, 3L,
                    StatementClass.OTHER, 2L, StatementClass.SESSION, 1L));
        }
    }

    @Test
    void pgJdbcPreparedStatementsReusedByNameAreCountedByTheirClass() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", TestUsers.SCRAM_USER);
        properties.setProperty("password", TestUsers.SCRAM_PASSWORD);
        properties.setProperty("sslmode", "disable");
        // From the third execution on, pgJDBC runs a statement by name (Bind S_n, Execute) without parsing it again.
        properties.setProperty("prepareThreshold", "3");
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + TestUsers.DEFAULT_DATABASE, properties)) {
            Map<StatementClass, Long> simpleBefore = counts(RequestProtocol.SIMPLE);
            Map<StatementClass, Long> before = counts(RequestProtocol.EXTENDED);
            try (Statement statement = connection.createStatement()) {
                statement.execute("drop table if exists classes_jdbc");
                statement.execute("create table classes_jdbc (id int primary key, name text)");
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into classes_jdbc values (?, ?)");
                    PreparedStatement select = connection.prepareStatement(
                            "select name from classes_jdbc where id = ?")) {
                for (int i = 1; i <= 5; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row " + i);
                    assertEquals(1, insert.executeUpdate());
                }
                for (int i = 1; i <= 4; i++) {
                    select.setInt(1, i);
                    try (ResultSet rows = select.executeQuery()) {
                        assertTrue(rows.next());
                        assertEquals("row " + i, rows.getString(1));
                    }
                }
                // The driver sends BEGIN as a Query of its own, just ahead of the transaction's first statement.
                connection.setAutoCommit(false);
                for (int i = 6; i <= 7; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row " + i);
                    assertEquals(1, insert.executeUpdate());
                }
                connection.commit();
                connection.setAutoCommit(true);
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("set application_name = 'classes through pgJDBC'");
            }

            assertAdded(RequestProtocol.EXTENDED, before, Map.of(StatementClass.DDL, 2L, StatementClass.WRITE, 7L,
                    StatementClass.READ, 4L, StatementClass.TRANSACTION, 1L, StatementClass.SESSION, 1L));
            assertAdded(RequestProtocol.SIMPLE, simpleBefore, Map.of(StatementClass.TRANSACTION, 1L));
        }
    }

    /** The {@code exodus.requests} count of each class, for requests of this protocol to the source in phase direct. */
    private Map<StatementClass, Long> counts(RequestProtocol protocol) {
        Map<StatementClass, Long> counts = new EnumMap<>(StatementClass.class);
        for (StatementClass statementClass : StatementClass.values()) {
            counts.put(statementClass, registry.find(ExodusMeters.REQUESTS)
                    .tag(ExodusMeters.TAG_ENDPOINT, ExodusMeters.ENDPOINT_SOURCE)
                    .tag(ExodusMeters.TAG_PROTOCOL, protocol.tagValue())
                    .tag(ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue())
                    .tag(ExodusMeters.TAG_PHASE, "direct")
                    .timers().stream().mapToLong(Timer::count).sum());
        }
        return counts;
    }

    /** Asserts what each class gained since {@code before}; classes not in {@code added} gained nothing. */
    private void assertAdded(RequestProtocol protocol, Map<StatementClass, Long> before,
            Map<StatementClass, Long> added) {
        Map<StatementClass, Long> expected = new EnumMap<>(StatementClass.class);
        for (StatementClass statementClass : StatementClass.values()) {
            expected.put(statementClass, before.get(statementClass) + added.getOrDefault(statementClass, 0L));
        }
        // A request is timed before its ReadyForQuery is forwarded: by now every one of them is counted.
        assertEquals(expected, counts(protocol), protocol.tagValue() + " requests by statement class");
    }
}
