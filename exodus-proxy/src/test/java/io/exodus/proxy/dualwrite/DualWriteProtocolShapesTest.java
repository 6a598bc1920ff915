package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The extended-protocol shapes real drivers send, raw on the wire, under the policies that promise both databases:
 * whatever the batching (a Flush between Describe and Bind, as postgres.js sends the first execution of every
 * statement; statements parsed in one request and executed in later ones; an error ahead of the Sync), every
 * INSERT, UPDATE and DELETE lands on both sides with the same values, drawn ones included, and nothing hangs.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteProtocolShapesTest {
    private static final String DATABASE = "dw_protocol_shapes";
    /** A bigserial and a now() default: the target must get the source's values, not draw its own. */
    private static final String TABLE = "create table shaped (id bigserial primary key, n int not null, note text, "
            + "at timestamptz not null default clock_timestamp())";
    private static final int TEXT = 25;
    private static final int INT4 = 23;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    private double divergencesBefore;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @BeforeEach
    void emptyTable() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists shaped");
        DualWriteDatabases.onBoth(DATABASE, TABLE);
        DualWriteDatabases.onBoth(DATABASE, "grant all on shaped, shaped_id_seq to " + TestUsers.MD5_USER);
        divergencesBefore = divergences.total();
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    /** postgres.js: Parse + Describe + Flush, then Bind + Execute + Sync; later executions Bind + Execute + Sync. */
    @UnderPoliciesPromisingBoth
    void describeFlushThenExecuteWritesBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            for (String name : List.of("ins", "")) {
                describeFlushed(client, name, "INSERT INTO shaped (n, note) VALUES ($1, $2)", INT4, TEXT);
                assertEquals(List.of('2', 'C', 'Z'), execute(client, name, "1", name + " first"));
                // Re-execution of the statement parsed in an earlier request, in autocommit and in a transaction.
                assertEquals(List.of('2', 'C', 'Z'), execute(client, name, "2", name + " again"));
                assertEquals('T', simple(client, "BEGIN"));
                assertEquals(List.of('2', 'C', 'Z'), execute(client, name, "3", name + " in a transaction"));
                assertEquals(List.of('2', 'C', 'Z'), execute(client, name, "4", name + " in a transaction"));
                assertEquals('I', simple(client, "COMMIT"));
            }
            describeFlushed(client, "upd", "UPDATE shaped SET note = note || $2 WHERE n = $1", INT4, TEXT);
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "upd", "1", " updated"));
            describeFlushed(client, "del", "DELETE FROM shaped WHERE n = $1 AND note = $2", INT4, TEXT);
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "del", "2", " again"));
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "del", "2", "ins again"));
        }
        assertEquals(List.of("1| first updated", "1|ins first updated", "3| in a transaction", "3|ins in a transaction",
                "4| in a transaction", "4|ins in a transaction"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /** The same shape inside an explicit transaction, the statement parsed there; and one rolled back. */
    @UnderPoliciesPromisingBoth
    void describeFlushInsideATransactionWritesBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            assertEquals('T', simple(client, "BEGIN"));
            describeFlushed(client, "ins", "INSERT INTO shaped (n, note) VALUES ($1, $2)", INT4, TEXT);
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "ins", "10", "ten"));
            describeFlushed(client, "", "INSERT INTO shaped (n, note) VALUES ($1, $2)", INT4, TEXT);
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "", "11", "eleven"));
            assertEquals('I', simple(client, "COMMIT"));
            assertEquals('T', simple(client, "BEGIN"));
            assertEquals(List.of('2', 'C', 'Z'), execute(client, "ins", "12", "rolled back"));
            assertEquals('I', simple(client, "ROLLBACK"));
        }
        assertEquals(List.of("10|ten", "11|eleven"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /** Bind + Describe(portal) + Flush, then Execute + Sync: the portal bound ahead runs the write on both. */
    @UnderPoliciesPromisingBoth
    void portalBoundAheadOfAFlushWritesBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            for (String name : List.of("p", "")) {
                Buffer ahead = FrontendMessages.parse(name, "INSERT INTO shaped (n, note) VALUES ($1, $2)",
                        new int[] { INT4, TEXT });
                ahead.appendBuffer(bind(name, "20", "portal " + name));
                ahead.appendBuffer(FrontendMessages.describePortal(""));
                assertEquals(List.of('1', '2', 'n'), flushed(client, ahead, 3));
                assertEquals(List.of('C', 'Z'), synced(client, FrontendMessages.execute("", 0)));
            }
        }
        assertEquals(List.of("20|portal ", "20|portal p"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /**
     * An error ahead of the Sync: the server skips to the Sync, so the statement after the Flush never runs, on
     * either side; both failing alike is no divergence, and the next request is answered.
     */
    @UnderPoliciesPromisingBoth
    void anErrorAheadOfTheSyncSkipsToItOnBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            Buffer failing = unnamed("INSERT INTO shaped (n, note) VALUES (30, 'ahead')")
                    .appendBuffer(unnamed("INSERT INTO shaped (n, note) VALUES (NULL, 'fails')"));
            List<Character> answers = flushedUntilError(client, failing);
            assertEquals(List.of('1', '2', 'C', '1', '2', 'E'), answers);
            // Skipped by the server up to the Sync, as it would be directly.
            assertEquals(List.of('Z'), synced(client, unnamed("INSERT INTO shaped (n, note) VALUES (31, 'skipped')")));
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client, unnamed("INSERT INTO shaped (n, note) VALUES (32, 'next')")));
            // The same twice ahead of the Sync: a second Flush after the error has nothing to answer.
            flushedUntilError(client, unnamed("INSERT INTO shaped (n, note) VALUES (NULL, 'fails again')"));
            client.send(unnamed("INSERT INTO shaped (n, note) VALUES (33, 'skipped')").appendBuffer(FrontendMessages.flush())
                    .getBytes());
            assertEquals(List.of('Z'), synced(client, Buffer.buffer()));
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client, unnamed("INSERT INTO shaped (n, note) VALUES (34, 'last')")));
        }
        assertEquals(List.of("32|next", "34|last"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /** pgJDBC-like: Parse/Bind/Execute of a write with a Flush in the middle of a transaction's batch. */
    @UnderPoliciesPromisingBoth
    void statementsParsedInOneRequestAndExecutedInLaterOnesWriteBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            // Parsed alone (Parse + Sync), executed in three later requests.
            Buffer parse = FrontendMessages.parse("later", "INSERT INTO shaped (n, note) VALUES ($1, $2)",
                    new int[] { INT4, TEXT });
            assertEquals(List.of('1', 'Z'), synced(client, parse));
            for (int n = 40; n < 43; n++) {
                assertEquals(List.of('2', 'C', 'Z'), synced(client, bind("later", String.valueOf(n), "later")
                        .appendBuffer(FrontendMessages.execute("", 0))));
            }
            // The unnamed statement of an earlier request, bound again.
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client,
                    unnamed("INSERT INTO shaped (n, note) VALUES (43, 'unnamed')")));
            assertEquals(List.of('2', 'C', 'Z'), synced(client, FrontendMessages.bind("", "", new short[0], List.of(),
                    new short[0]).appendBuffer(FrontendMessages.execute("", 0))));
        }
        assertEquals(List.of("40|later", "41|later", "42|later", "43|unnamed", "43|unnamed"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /**
     * libpq's pipeline mode may send Executes with neither Sync nor Flush and wait: PostgreSQL sends an error at once.
     * Through Exodus too, and the Sync the client sends then ends the batch on both sides with nothing written.
     */
    @UnderPoliciesPromisingBoth
    void aPipelineWithoutSyncHearsOfItsErrorAtOnce(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            client.send(unnamed("INSERT INTO shaped (n, note) VALUES (60, 'before the error')")
                    .appendBuffer(unnamed("INSERT INTO shaped (n, note) VALUES (NULL, 'fails')")).getBytes());
            assertEquals(List.of('1', '2', 'C', '1', '2', 'E'), untilError(client));
            assertEquals(List.of('Z'), synced(client, Buffer.buffer()));
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client, unnamed("INSERT INTO shaped (n, note) VALUES (61, 'next')")));
        }
        assertEquals(List.of("61|next"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    /** psycopg evicting a statement it only read with: the target never had it, and that is no error there. */
    @UnderPoliciesPromisingBoth
    void deallocatingAStatementOnlyTheSourceHasIsNoDivergence(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (RawPgConnection client = connect()) {
            assertEquals(List.of('1', 'Z'), synced(client, FrontendMessages.parse("_pg3_0", "SELECT count(*) FROM shaped",
                    new int[0])));
            assertEquals(List.of('2', 'D', 'C', 'Z'), synced(client, FrontendMessages.bind("", "_pg3_0", new short[0],
                    List.of(), new short[0]).appendBuffer(FrontendMessages.execute("", 0))));
            assertEquals(List.of('C', 'Z'), simpleAnswers(client, "DEALLOCATE _pg3_0"));
            assertEquals(List.of('C', 'Z'), simpleAnswers(client, "INSERT INTO shaped (n, note) VALUES (50, 'after')"));
            // A statement the target has too is deallocated on both.
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client, FrontendMessages.parse("w", "INSERT INTO shaped "
                    + "(n, note) VALUES (51, 'named')", new int[0]).appendBuffer(FrontendMessages.bind("", "w",
                    new short[0], List.of(), new short[0])).appendBuffer(FrontendMessages.execute("", 0))));
            assertEquals(List.of('C', 'Z'), simpleAnswers(client, "DEALLOCATE w"));
            assertEquals(List.of('1', '2', 'C', 'Z'), synced(client, FrontendMessages.parse("w", "INSERT INTO shaped "
                    + "(n, note) VALUES (52, 'named again')", new int[0]).appendBuffer(FrontendMessages.bind("", "w",
                    new short[0], List.of(), new short[0])).appendBuffer(FrontendMessages.execute("", 0))));
        }
        assertEquals(List.of("50|after", "51|named", "52|named again"), rows(secondary()));
        assertBothIdenticalWithoutDivergence();
    }

    // ---- wire helpers ----------------------------------------------------------------------------------------------

    private RawPgConnection connect() throws Exception {
        RawPgConnection client = new RawPgConnection("127.0.0.1", port);
        // A hang fails the test instead of stalling the suite.
        client.readTimeout(20_000);
        client.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, DATABASE);
        return client;
    }

    /** Parse + Describe(statement) + Flush, read to the statement's RowDescription or NoData. */
    private static void describeFlushed(RawPgConnection client, String name, String sql, int... types) throws Exception {
        Buffer ahead = FrontendMessages.parse(name, sql, types).appendBuffer(FrontendMessages.describeStatement(name));
        assertEquals(List.of('1', 't', 'n'), flushed(client, ahead, 3), "a write without RETURNING describes no rows");
    }

    /** Bind + Execute + Sync of a statement with the two text parameters. */
    private static List<Character> execute(RawPgConnection client, String statement, String n, String note)
            throws Exception {
        return synced(client, bind(statement, n, note).appendBuffer(FrontendMessages.execute("", 0)));
    }

    private static Buffer bind(String statement, String... values) {
        List<byte[]> parameters = new ArrayList<>();
        for (String value : values) {
            parameters.add(value.getBytes(StandardCharsets.UTF_8));
        }
        return FrontendMessages.bind("", statement, new short[0], parameters, new short[0]);
    }

    /** Parse, Bind and Execute of one unnamed statement without parameters. */
    private static Buffer unnamed(String sql) {
        return FrontendMessages.parse("", sql, new int[0])
                .appendBuffer(FrontendMessages.bind("", "", new short[0], List.of(), new short[0]))
                .appendBuffer(FrontendMessages.execute("", 0));
    }

    /** Sends the messages and a Flush; reads {@code answers} messages. */
    private static List<Character> flushed(RawPgConnection client, Buffer messages, int answers) throws Exception {
        client.send(messages.copy().appendBuffer(FrontendMessages.flush()).getBytes());
        List<Character> types = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            types.add(client.read().type());
        }
        return types;
    }

    /** Sends the messages and a Flush; reads up to and including the ErrorResponse. */
    private static List<Character> flushedUntilError(RawPgConnection client, Buffer messages) throws Exception {
        client.send(messages.copy().appendBuffer(FrontendMessages.flush()).getBytes());
        return untilError(client);
    }

    private static List<Character> untilError(RawPgConnection client) throws Exception {
        List<Character> types = new ArrayList<>();
        char type;
        do {
            type = client.read().type();
            types.add(type);
        } while (type != 'E');
        return types;
    }

    /** Sends the messages and a Sync; the types of the answers up to ReadyForQuery. */
    private static List<Character> synced(RawPgConnection client, Buffer messages) throws Exception {
        client.send(messages.copy().appendBuffer(FrontendMessages.sync()).getBytes());
        return untilReady(client);
    }

    /** A simple query; the types of its answers up to ReadyForQuery. */
    private static List<Character> simpleAnswers(RawPgConnection client, String sql) throws Exception {
        client.send(RawPgConnection.query(sql));
        return untilReady(client);
    }

    /** The types of the answers up to ReadyForQuery; an error's fields go to the test's output. */
    private static List<Character> untilReady(RawPgConnection client) throws Exception {
        List<Character> types = new ArrayList<>();
        char type;
        do {
            RawPgConnection.Message message = client.read();
            type = message.type();
            types.add(type);
            if (type == 'E') {
                System.err.println("DualWriteProtocolShapesTest: error " + message.fields());
            }
        } while (type != 'Z');
        return types;
    }

    /** A simple query; the transaction status of its ReadyForQuery. */
    private static char simple(RawPgConnection client, String sql) throws Exception {
        client.send(RawPgConnection.query(sql));
        RawPgConnection.Message message;
        do {
            message = client.read();
        } while (message.type() != 'Z');
        return (char) message.body()[0];
    }

    // ---- assertions --------------------------------------------------------------------------------------------------

    private void assertBothIdenticalWithoutDivergence() throws SQLException {
        DualWriteDatabases.assertIdentical(DATABASE, "shaped");
        assertEquals(divergencesBefore, divergences.total(), "no divergence recorded");
    }

    /** The database that gets the writes behind the primary: the target, or the source after the cutover. */
    private static ConnectionTarget secondary() {
        return DualWriteDatabases.secondary(DATABASE);
    }

    private static List<String> rows(ConnectionTarget server) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select n, note from shaped order by n, note collate \"C\"")) {
            while (result.next()) {
                lines.add(result.getInt(1) + "|" + result.getString(2));
            }
        }
        return lines;
    }
}
