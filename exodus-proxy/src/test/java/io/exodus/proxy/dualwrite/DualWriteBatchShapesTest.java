package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A statement text that opens and ends its own transaction (GAPS.md: Mitigated, it runs on the secondary only after
 * the primary), and writing batches with a Flush before their Sync (libpq's pipeline mode with PQsendFlushRequest):
 * all end identical on source and target.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteBatchShapesTest {
    private static final String DATABASE = "dw_batch_shapes";
    /** pgbench's built-in tpcb-like script, its transaction in one pipeline. */
    private static final String PIPELINED_TPCB = """
            \\set aid random(1, 100000 * :scale)
            \\set bid random(1, 1 * :scale)
            \\set tid random(1, 10 * :scale)
            \\set delta random(-5000, 5000)
            \\startpipeline
            BEGIN;
            UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
            SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
            UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
            UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
            INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
            END;
            \\endpipeline
            """;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @BeforeEach
    void emptyTable() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists batch_rows");
        DualWriteDatabases.onBoth(DATABASE, "create table batch_rows (id int primary key, note text not null)");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists stamped");
        // A column default the source draws: an INSERT into it copies the primary's rows to the secondary.
        DualWriteDatabases.onBoth(DATABASE, "create table stamped (id int primary key, at timestamptz default now())");
        // RawPgConnection speaks md5, not SCRAM: the md5 role writes the batches.
        DualWriteDatabases.onBoth(DATABASE, "grant all on batch_rows, stamped to " + TestUsers.MD5_USER);
    }

    @Test
    void aQueryThatOpensAndEndsItsOwnTransactionEndsIdenticalOnBoth() throws Exception {
        Psql proxy = Psql.against(DualWriteDatabases.proxy(port, DATABASE));
        // psql -c sends the whole text as one Query message.
        proxy.command("BEGIN; INSERT INTO batch_rows VALUES (1, 'one'), (2, 'two'); "
                + "UPDATE batch_rows SET note = note || ' updated' WHERE id = 1; COMMIT").requireSuccess();
        proxy.command("BEGIN; INSERT INTO batch_rows VALUES (3, 'rolled back'); ROLLBACK").requireSuccess();
        proxy.command("INSERT INTO batch_rows VALUES (4, 'four'); BEGIN; DELETE FROM batch_rows WHERE id = 2; COMMIT")
                .requireSuccess();

        assertEquals(List.of("1 one updated", "4 four"), rows(DualWriteDatabases.target(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, "batch_rows");
    }

    @Test
    void aWritingBatchWithAFlushBeforeItsSyncEndsIdenticalOnBoth() throws Exception {
        double rowCountsBefore = divergences.count(Divergence.Kind.ROW_COUNT);
        try (RawPgConnection client = new RawPgConnection("127.0.0.1", port)) {
            client.readTimeout(30_000);
            client.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, DATABASE);
            assertEquals(List.of('1', '2', 'C', '1', '2', 'C', '1', '2', 'C', 'Z'), runFlushed(client,
                    statement("INSERT INTO batch_rows VALUES (10, 'before the flush')"),
                    statement("INSERT INTO batch_rows VALUES (11, 'after the flush')")
                            .appendBuffer(statement("UPDATE batch_rows SET note = note || '+' WHERE id >= 10"))));
            // Two rows ahead of the Flush, one after it: the target's counts are checked against the right ones.
            assertEquals(List.of('1', '2', 'C', '1', '2', 'C', 'Z'), runFlushed(client,
                    statement("UPDATE batch_rows SET note = note || ' a' WHERE id IN (10, 11)"),
                    statement("UPDATE batch_rows SET note = note || ' b' WHERE id = 10")));
            assertEquals(List.of('1', '2', 'C', '1', '2', 'C', 'Z'), runFlushed(client,
                    statement("INSERT INTO stamped (id) VALUES (1)"), statement("INSERT INTO stamped (id) VALUES (2)")));
        }

        assertEquals(List.of("10 before the flush+ a b", "11 after the flush+ a"),
                rows(DualWriteDatabases.target(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, "batch_rows");
        assertEquals(rowCountsBefore, divergences.count(Divergence.Kind.ROW_COUNT), "no row count divergence");
        // Both INSERTs had their rows copied, the one ahead of the Flush too: the target has the source's now().
        assertEquals(List.of("1", "2"), sameStampOnBoth());
    }

    /**
     * pgbench's pipeline mode (libpq's: the whole TPC-B transaction, BEGIN to END, goes out with one Sync) under
     * -M extended and -M prepared: every write reaches the target. Such a batch runs on the secondary after the
     * primary, its INSERT as the row the primary inserted: the history's CURRENT_TIMESTAMP is the source's.
     */
    @Test
    void pgbenchInPipelineModeEndsIdenticalOnBoth() throws Exception {
        for (ConnectionTarget server : new ConnectionTarget[] { DualWriteDatabases.source(DATABASE),
                DualWriteDatabases.target(DATABASE) }) {
            Pgbench.against(server).initialize(1).requireSuccess();
        }
        Path script = Files.createTempFile("exodus-pipeline-", ".sql");
        try {
            Files.writeString(script, PIPELINED_TPCB);
            for (String mode : List.of("extended", "prepared")) {
                PgbenchResult result = Pgbench.against(DualWriteDatabases.proxy(port, DATABASE))
                        .run(List.of("-n", "-M", mode, "-c", "4", "-j", "2", "-t", "150", "-f", script.toString()))
                        .requireSuccess();
                assertEquals(600, result.processedTransactions().orElse(0), result.stdout());
                assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
            }
        } finally {
            Files.deleteIfExists(script);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "pgbench_accounts", "pgbench_branches", "pgbench_tellers");
        // pgbench_history has no key: compared as a sorted multiset, its CURRENT_TIMESTAMP included (row images).
        String history = "select tid, bid, aid, delta, mtime from pgbench_history order by 1, 2, 3, 4, 5";
        assertEquals(lines(DualWriteDatabases.source(DATABASE), history),
                lines(DualWriteDatabases.target(DATABASE), history), "the history, timestamps included");
    }

    /** pgJDBC sends a Statement's batch as unnamed statements behind one Sync: each keeps its own rows. */
    @Test
    void aJdbcBatchOfDifferentStatementsEndsIdenticalOnBoth() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("insert into batch_rows values (30, 'thirty'), (31, 'thirty-one')");
            statement.addBatch("update batch_rows set note = note || ' updated' where id = 30");
            statement.addBatch("insert into stamped (id) values (30)");
            statement.addBatch("update batch_rows set note = note || ' again' where id >= 30");
            statement.addBatch("insert into stamped (id) values (31)");
            statement.executeBatch();
        }
        assertEquals(List.of("30 thirty updated again", "31 thirty-one again"), rows(DualWriteDatabases.target(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, "batch_rows", "stamped");
    }

    /**
     * Every statement of a batch is checked for values each database draws, not only its first write: one late in
     * the batch gets its row image and leaves the rows identical, found by key or, in a table without one, by the old
     * row (since session 17; before, it ran as its text there and was listed for verification).
     */
    @Test
    void aNondeterministicStatementLateInABatchIsCopiedOrListedForVerification() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists batch_loose");
        DualWriteDatabases.onBoth(DATABASE, "create table batch_loose (id int, note text)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("insert into batch_rows values (40, 'forty')");
            statement.execute("insert into batch_loose values (40, 'forty')");
            statement.addBatch("update batch_rows set note = 'plain' where id = 40");
            statement.addBatch("update batch_rows set note = 'drawn ' || random() where id = 40");
            statement.executeBatch();
            statement.addBatch("update batch_loose set note = 'plain' where id = 40");
            statement.addBatch("update batch_loose set note = 'loose ' || random() where id = 40");
            statement.executeBatch();
        }
        DualWriteDatabases.assertIdentical(DATABASE, "batch_rows", "batch_loose");
        assertTrue(divergences.needingVerification().stream().noneMatch(text -> text.contains("'drawn ' || random()")
                || text.contains("'loose ' || random()")), divergences.needingVerification().toString());
    }

    /** Exodus answers a plain BEGIN itself and holds it for the source's first statement: here one ahead of a Sync. */
    @Test
    void aFlushedBatchInsideATransactionRollsBackWithIt() throws Exception {
        try (RawPgConnection client = new RawPgConnection("127.0.0.1", port)) {
            client.readTimeout(30_000);
            client.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, DATABASE);
            assertEquals('T', untilReady(client, RawPgConnection.query("BEGIN")), "in a transaction");
            assertEquals(List.of('1', '2', 'C', '1', '2', 'C', 'Z'), runFlushed(client,
                    statement("INSERT INTO batch_rows VALUES (20, 'ahead')"),
                    statement("INSERT INTO batch_rows VALUES (21, 'behind')")));
            assertEquals('I', untilReady(client, RawPgConnection.query("ROLLBACK")), "rolled back");
        }
        assertEquals(List.of(), rows(DualWriteDatabases.source(DATABASE)), "nothing stays on the source");
        assertEquals(List.of(), rows(DualWriteDatabases.target(DATABASE)), "nor on the target");
    }

    /** Sends a request and reads to its ReadyForQuery: the transaction status it reports. */
    private static char untilReady(RawPgConnection client, byte[] request) throws Exception {
        client.send(request);
        RawPgConnection.Message message;
        do {
            message = client.read();
        } while (message.type() != 'Z');
        return (char) message.body()[0];
    }

    /**
     * Sends {@code beforeFlush}, a Flush, reads the answers up to the last CommandComplete (the Flush makes the
     * primary answer without a Sync), then sends {@code afterFlush} and a Sync: the message types of all answers.
     */
    private static List<Character> runFlushed(RawPgConnection client, Buffer beforeFlush, Buffer afterFlush)
            throws Exception {
        List<Character> answers = new ArrayList<>();
        client.send(beforeFlush.copy().appendBuffer(FrontendMessages.flush()).getBytes());
        int executes = count(beforeFlush, 'E');
        while (executes > 0) {
            char type = client.read().type();
            answers.add(type);
            if (type == 'C' || type == 'E') {
                executes--;
            }
        }
        client.send(afterFlush.copy().appendBuffer(FrontendMessages.sync()).getBytes());
        char type;
        do {
            type = client.read().type();
            answers.add(type);
        } while (type != 'Z');
        return answers;
    }

    private static int count(Buffer messages, char type) {
        int count = 0;
        for (int at = 0; at < messages.length(); at += 1 + messages.getInt(at + 1)) {
            if (messages.getByte(at) == type) {
                count++;
            }
        }
        return count;
    }

    /** Parse, Bind and Execute of one unnamed statement without parameters. */
    private static Buffer statement(String sql) {
        Buffer out = FrontendMessages.parse("", sql, new int[0]);
        out.appendBuffer(FrontendMessages.bind("", "", new short[0], List.of(), new short[0]));
        return out.appendBuffer(FrontendMessages.execute("", 0));
    }

    /** Ids of the stamped rows whose timestamps are equal on source and target. */
    private static List<String> sameStampOnBoth() throws SQLException {
        List<String> source = stamps(DualWriteDatabases.source(DATABASE));
        List<String> target = stamps(DualWriteDatabases.target(DATABASE));
        List<String> same = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).equals(target.get(i))) {
                same.add(source.get(i).split(" ")[0]);
            }
        }
        return same;
    }

    private static List<String> stamps(ConnectionTarget server) throws SQLException {
        return lines(server, "select id || ' ' || at from stamped order by id");
    }

    private static List<String> rows(ConnectionTarget server) throws SQLException {
        return lines(server, "select id || ' ' || note from batch_rows order by id");
    }

    /** Each row of the query's result as one line, its columns joined by '|'. */
    private static List<String> lines(ConnectionTarget server, String query) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder line = new StringBuilder(String.valueOf(result.getString(1)));
                for (int column = 2; column <= columns; column++) {
                    line.append('|').append(result.getString(column));
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
