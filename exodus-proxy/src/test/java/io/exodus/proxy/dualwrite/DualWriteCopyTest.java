package io.exodus.proxy.dualwrite;

import org.junit.jupiter.api.Assumptions;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PgDump;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code COPY … FROM STDIN} through dual-write, with the clients that load data (psql's {@code \copy}, pgJDBC's
 * CopyManager, pg_restore): both databases end up with the same rows, the values the source draws for left-out
 * columns (bigserial, {@code now()}, {@code gen_random_uuid()}) included; a COPY that fails leaves neither with any.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCopyTest {
    private static final String DATABASE = "dw_copy";
    private static final String SCRATCH = "dw_copy_scratch";
    private static final String LOADED = "(id bigserial primary key, label text not null, amount int, "
            + "created timestamptz not null default now(), uid uuid not null default gen_random_uuid())";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.recreate(SCRATCH);
    }

    @AfterEach
    void backToDefaultPolicy() throws InterruptedException {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    /** The acceptance load of issue 14 through psql: 100,000 rows, the source's drawn values on both sides. */
    @Test
    void psqlCopyOfAHundredThousandRowsDrawsTheSameDefaultsOnBothSides() throws Exception {
        createLoaded("psql_loaded");
        Path data = Files.createTempFile("copy", ".tsv");
        try {
            StringBuilder rows = new StringBuilder();
            for (int i = 1; i <= 100_000; i++) {
                rows.append("label ").append(i).append("\\twith a tab\t").append(i % 1000 == 0 ? "\\N" : i)
                        .append('\n');
            }
            Files.writeString(data, rows);
            CommandResult copied = Psql.against(proxy()).withTimeout(Duration.ofMinutes(3))
                    .command("\\copy psql_loaded (label, amount) from '" + data + "'");
            assertTrue(copied.succeeded(), copied.toString());
            assertEquals("COPY 100000", copied.stdout().strip());
        } finally {
            Files.deleteIfExists(data);
        }
        assertLoadedIdentically("psql_loaded", 100_000);
    }

    /** The same through pgJDBC's CopyManager, under both policies that promise every write on both sides. */
    @UnderPoliciesPromisingBoth
    void copyManagerCopyOfAHundredThousandRowsDrawsTheSameDefaultsOnBothSides(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        String table = "jdbc_loaded_" + policy.name().toLowerCase();
        createLoaded(table);
        try (Connection client = openProxy()) {
            long copied = copyManager(client).copyIn("COPY " + table + " (label, amount) FROM STDIN",
                    new StringReader(textRows(100_000)));
            assertEquals(100_000, copied);
        }
        assertLoadedIdentically(table, 100_000);
    }

    /** Every policy: autocommit and in a client transaction, each side has the same rows afterwards. */
    @ParameterizedTest
    @EnumSource(ConsistencyPolicy.class)
    void everyPolicyCopiesTheSameRowsInAutocommitAndInTransactions(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String table = "policy_loaded_" + policy.name().toLowerCase();
        createLoaded(table);
        try (Connection client = openProxy()) {
            assertEquals(2_000, copyManager(client).copyIn("COPY " + table + " (label, amount) FROM STDIN",
                    new StringReader(textRows(2_000))));
            client.setAutoCommit(false);
            assertEquals(3_000, copyManager(client).copyIn("COPY " + table + " (label, amount) FROM STDIN",
                    new StringReader(textRows(3_000))));
            try (Statement statement = client.createStatement()) {
                statement.executeUpdate("insert into " + table + " (label) values ('after the copy')");
            }
            client.commit();
        }
        assertLoadedIdentically(table, 5_001);
    }

    /** pg_restore of a pg_dump -Fc archive: COPY of every column, then setval; streamed to both unchanged. */
    @Test
    void pgRestoreOfACustomArchiveLoadsTheSameRowsOnBothSides() throws Exception {
        try (Connection scratch = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(SCRATCH).openJdbc();
                Statement statement = scratch.createStatement()) {
            statement.execute("create table archived " + LOADED);
            statement.execute("insert into archived (label, amount) select 'archived ' || i, i "
                    + "from generate_series(1, 100000) i");
        }
        createLoaded("archived");
        Path archive = Files.createTempFile("archive", ".dump");
        try {
            CommandResult dumped = PgDump.dumpCustom(
                    ConnectionTarget.superuser(TestDatabases.source()).withDatabase(SCRATCH), archive, "archived");
            assertTrue(dumped.succeeded(), dumped.toString());
            CommandResult restored = PgDump.restore(proxy(), archive, "--data-only");
            assertTrue(restored.succeeded(), restored.toString());
        } finally {
            Files.deleteIfExists(archive);
        }
        assertLoadedIdentically("archived", 100_000);
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement();
                ResultSet last = statement.executeQuery("select last_value from archived_id_seq")) {
            last.next();
            assertEquals(100_000, last.getLong(1), "pg_restore's setval reached the target too");
        }
    }

    /** CSV with a header, quoted delimiters, doubled quotes and newlines inside quotes, with drawn defaults. */
    @Test
    void csvWithQuotedNewlinesKeepsEveryValue() throws Exception {
        createLoaded("csv_loaded");
        String csv = "label,amount\n"
                + "\"two\nlines\",1\n"
                + "\"with \"\"quotes\"\", and a comma\",2\n"
                + "plain,\n"
                + "\"\",4\n"
                + "\"\\.\",5\n";
        try (Connection client = openProxy()) {
            assertEquals(5, copyManager(client).copyIn(
                    "COPY csv_loaded (label, amount) FROM STDIN WITH (FORMAT csv, HEADER true)", new StringReader(csv)));
        }
        assertLoadedIdentically("csv_loaded", 5);
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc();
                Statement statement = source.createStatement();
                ResultSet rows = statement.executeQuery("select label, amount from csv_loaded order by id")) {
            StringBuilder seen = new StringBuilder();
            while (rows.next()) {
                seen.append(rows.getString(1)).append('|').append(rows.getString(2)).append(';');
            }
            assertEquals("two\nlines|1;with \"quotes\", and a comma|2;plain|null;|4;\\.|5;", seen.toString());
        }
    }

    /** Binary COPY (header, tuples, trailer) with drawn defaults appended as binary fields. */
    @Test
    void binaryCopyDrawsTheSameDefaultsOnBothSides() throws Exception {
        createLoaded("binary_loaded");
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc()) {
            copyManager(source).copyOut("COPY (SELECT 'binary ' || i, i FROM generate_series(1, 25000) i) "
                    + "TO STDOUT (FORMAT binary)", binary);
        }
        try (Connection client = openProxy()) {
            assertEquals(25_000, copyManager(client).copyIn(
                    "COPY binary_loaded (label, amount) FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(binary.toByteArray())));
        }
        assertLoadedIdentically("binary_loaded", 25_000);
    }

    /** A table whose left-out columns have constant defaults only: the data goes to both sides as it is. */
    @Test
    void copyOfAllColumnsOrConstantDefaultsStreamsToBothSides() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table plain_loaded (id int primary key, label text, "
                + "state text not null default 'new')");
        try (Connection client = openProxy()) {
            CopyManager copy = copyManager(client);
            assertEquals(2, copy.copyIn("COPY plain_loaded FROM STDIN", new StringReader("1\tone\tdone\n2\t\\N\tline\\nbreak\n")));
            assertEquals(2, copy.copyIn("copy plain_loaded (id, label) from stdin", new StringReader("3\tthree\n4\tfour")));
            StringWriter out = new StringWriter();
            assertEquals(4, copy.copyOut("COPY plain_loaded TO STDOUT", out), "COPY TO reads on the source");
        }
        DualWriteDatabases.assertIdentical(DATABASE, "plain_loaded");
        assertEquals(4, count(DualWriteDatabases.target(DATABASE), "plain_loaded"));
    }

    /** A COPY in a transaction that then rolls back leaves nothing anywhere. */
    @UnderPoliciesPromisingBoth
    void copyInATransactionThatRollsBackLeavesNeitherSideWithRows(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String table = "rolled_back_" + policy.name().toLowerCase();
        createLoaded(table);
        try (Connection client = openProxy()) {
            client.setAutoCommit(false);
            assertEquals(500, copyManager(client).copyIn("COPY " + table + " (label, amount) FROM STDIN",
                    new StringReader(textRows(500))));
            client.rollback();
            client.setAutoCommit(true);
            assertEquals(1, copyManager(client).copyIn("COPY " + table + " (label, amount) FROM STDIN",
                    new StringReader("kept\t1\n")));
        }
        assertLoadedIdentically(table, 1);
    }

    /** A bad row deep in the data fails the whole COPY on both sides; the error names the client's line. */
    @UnderPoliciesPromisingBoth
    void aBadRowLeavesNeitherSideWithAnyRow(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String table = "bad_row_" + policy.name().toLowerCase();
        createLoaded(table);
        StringBuilder rows = new StringBuilder(textRows(30_000));
        int at = rows.indexOf("label 25000\t");
        rows.replace(at, at + "label 25000\t25000".length(), "label 25000\tnot a number");
        try (Connection client = openProxy()) {
            PSQLException failed = assertThrows(PSQLException.class, () -> copyManager(client).copyIn(
                    "COPY " + table + " (label, amount) FROM STDIN", new StringReader(rows.toString())));
            assertEquals("22P02", failed.getSQLState(), failed.toString());
            String where = failed.getServerErrorMessage().getWhere();
            assertTrue(where.contains("line 25000"), where);
            try (Statement statement = client.createStatement()) {
                statement.executeUpdate("insert into " + table + " (label) values ('the session goes on')");
            }
        }
        assertLoadedIdentically(table, 1);
    }

    /** The client gives up half-way (CopyFail): nothing of the COPY anywhere, in a streamed and a drawn COPY. */
    @Test
    void copyFailFromTheClientLeavesNeitherSideWithRows() throws Exception {
        createLoaded("given_up");
        DualWriteDatabases.onBoth(DATABASE, "create table given_up_plain (id int, label text)");
        try (Connection client = openProxy()) {
            for (String sql : new String[] { "COPY given_up (label, amount) FROM STDIN", "COPY given_up_plain FROM STDIN" }) {
                CopyIn copy = copyManager(client).copyIn(sql);
                byte[] rows = textRows(20_000).getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(rows, 0, rows.length);
                copy.flushCopy();
                copy.cancelCopy();
            }
            try (Statement statement = client.createStatement()) {
                statement.executeUpdate("insert into given_up (label) values ('the session goes on')");
            }
        }
        assertLoadedIdentically("given_up", 1);
        DualWriteDatabases.assertIdentical(DATABASE, "given_up_plain");
        assertEquals(0, count(DualWriteDatabases.source(DATABASE), "given_up_plain"));
    }

    /** Under two-phase commit, a COPY the secondary refuses (a constraint only it has) fails on both sides. */
    @Test
    void aCopyTheSecondaryRefusesFailsUnderTwoPhaseCommit() throws Exception {
        migration.changePolicy(ConsistencyPolicy.TWO_PHASE_COMMIT);
        createLoaded("target_refuses");
        try (Connection secondary = DualWriteDatabases.secondary(DATABASE).openJdbc();
                Statement statement = secondary.createStatement()) {
            statement.execute("alter table target_refuses add constraint small check (amount < 900)");
        }
        double before = divergences.total();
        try (Connection client = openProxy()) {
            PSQLException failed = assertThrows(PSQLException.class, () -> copyManager(client).copyIn(
                    "COPY target_refuses (label, amount) FROM STDIN", new StringReader(textRows(1_000))));
            assertEquals("23514", failed.getSQLState(), failed.toString());
            assertTrue(failed.getMessage().contains("on the " + DualWriteDatabases.primarySide().other().configName()),
                    failed.getMessage());
        }
        assertEquals(0, count(DualWriteDatabases.source(DATABASE), "target_refuses"));
        assertEquals(0, count(DualWriteDatabases.target(DATABASE), "target_refuses"));
        assertTrue(divergences.total() > before, "the secondary's refusal is a divergence");
    }

    /**
     * Under both-required, a COPY the target misses (its table is not there yet) commits on the source with its entry
     * in the replay queue, the drawn values in it; so does a streamed COPY behind it; the replayer applies both.
     */
    @Test
    void copiesTheTargetMissedAreQueuedAndReplayedThere() throws Exception {
        Assumptions.assumeTrue(DualWriteDatabases.primarySide() == Side.SOURCE, "the catch-up queue replays to the "
                + "target only; after the cutover a write the source misses refuses the rollback instead");
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc();
                Statement statement = source.createStatement()) {
            statement.execute("create table queued_loaded " + LOADED);
            statement.execute("create table queued_plain (id int primary key, label text)");
        }
        try (Connection client = openProxy()) {
            assertEquals(5_000, copyManager(client).copyIn("COPY queued_loaded (label, amount) FROM STDIN",
                    new StringReader(textRows(5_000))));
            assertEquals(3_000, copyManager(client).copyIn("COPY queued_plain FROM STDIN",
                    new StringReader(textRows(3_000).replace("label ", ""))));
        }
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("create table queued_loaded " + LOADED);
            statement.execute("create table queued_plain (id int primary key, label text)");
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertLoadedIdentically("queued_loaded", 5_000);
        DualWriteDatabases.assertIdentical(DATABASE, "queued_plain");
        assertEquals(3_000, count(DualWriteDatabases.target(DATABASE), "queued_plain"));
    }

    /**
     * A COPY the server refuses before it asks for data (an option given twice, a column that does not exist or is
     * named twice) is refused so through Exodus too: with drawn defaults left out, Exodus answered the CopyInResponse
     * itself first, and psql sent the statements that follow as COPY data (the regression suite's copy2). In a
     * transaction, the transaction fails as it would directly.
     */
    @Test
    void aCopyTheServerRefusesUpFrontLeavesTheNextStatementsToRun() throws Exception {
        createLoaded("refused_up_front");
        CommandResult ran = Psql.against(proxy()).run(java.util.List.of("-v", "ON_ERROR_STOP=0"), """
                COPY refused_up_front (label) FROM stdin (format csv, FORMAT csv);
                INSERT INTO refused_up_front (label) VALUES ('the next statement ran');
                COPY refused_up_front (no_such_column) FROM stdin;
                INSERT INTO refused_up_front (label) VALUES ('and after a missing column');
                COPY refused_up_front (label, label) FROM stdin;
                INSERT INTO refused_up_front (label) VALUES ('and after a column named twice');
                BEGIN;
                INSERT INTO refused_up_front (label) VALUES ('rolled back with the transaction');
                COPY refused_up_front (no_such_column) FROM stdin;
                SELECT 'not run: the transaction has failed';
                ROLLBACK;
                """);
        assertTrue(ran.stderr().contains("conflicting or redundant options"), ran.toString());
        assertTrue(ran.stderr().contains("column \"no_such_column\" of relation \"refused_up_front\" does not exist"),
                ran.toString());
        assertTrue(ran.stderr().contains("column \"label\" specified more than once"), ran.toString());
        assertTrue(ran.stderr().contains("current transaction is aborted"), ran.toString());
        assertLoadedIdentically("refused_up_front", 3);
    }

    /**
     * COPY … FROM STDIN among other statements of one query (psql's {@code \;}, the regression suite's copyselect
     * and psql tests): the client sees every result in order, both databases take each COPY's data, and a COPY that
     * lists columns (one left out could draw a value per database) or a text with transaction statements is refused
     * before anything runs.
     */
    @Test
    void copiesAmongOtherStatementsOfOneQueryReachBothSides() throws Exception {
        CommandResult ran = Psql.against(proxy()).run(java.util.List.of("-v", "ON_ERROR_STOP=0"), """
                CREATE TABLE among_others (c int);
                select 0\\; copy among_others from stdin\\; copy among_others from stdin\\; select 1;
                1
                \\.
                2
                \\.
                select 'x' as made \\; create table among_made (s text) \\; copy among_made from stdin \\; update among_made set s = upper(s) \\; copy among_made to stdout \\; select 'y' as done;
                one
                two
                \\.
                select 2\\; copy among_others (c) from stdin;
                select 3\\; begin\\; copy among_others from stdin\\; commit;
                """);
        assertTrue(ran.stdout().contains("0\nCOPY 1\nCOPY 1\n1\nx\n"), ran.toString());
        assertTrue(ran.stdout().contains("COPY 2\nUPDATE 2\nONE\nTWO\ny\n"), ran.toString());
        assertTrue(ran.stderr().contains("without a column list"), ran.toString());
        assertTrue(ran.stderr().contains("without transaction statements"), ran.toString());
        DualWriteDatabases.assertIdentical(DATABASE, "among_others", "among_made");
        assertEquals("1,2", Psql.against(DualWriteDatabases.target(DATABASE)).query(
                "select string_agg(c::text, ',' order by c) from among_others"));
    }

    /**
     * {@code COPY … FREEZE} right after a TRUNCATE in the same transaction, and again after a savepoint: PostgreSQL
     * takes it only there, so each database must get the TRUNCATE and the COPY in one subtransaction, Exodus's check
     * of the COPY statement (a savepoint of its own) included (the regression suite's copy2).
     */
    @Test
    void aFrozenCopyAfterATruncateInTheTransactionRunsOnBothSides() throws Exception {
        createLoaded("frozen");
        double before = divergences.total();
        CommandResult ran = Psql.against(proxy()).run(java.util.List.of("-v", "ON_ERROR_STOP=1"), """
                BEGIN;
                TRUNCATE frozen;
                COPY frozen (label, amount) FROM stdin (FREEZE);
                a	1
                b	2
                \\.
                SAVEPOINT s1;
                TRUNCATE frozen;
                COPY frozen (label, amount) FROM stdin (FREEZE);
                c	3
                \\.
                COMMIT;
                """);
        assertTrue(ran.succeeded(), ran.toString());
        assertEquals(before, divergences.total(), "no divergence");
        assertLoadedIdentically("frozen", 1);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private ConnectionTarget proxy() {
        return DualWriteDatabases.proxy(port, DATABASE);
    }

    private Connection openProxy() throws SQLException {
        return DualWriteDatabases.open(proxy(), "socketTimeout", "120");
    }

    private static CopyManager copyManager(Connection connection) throws SQLException {
        return connection.unwrap(PGConnection.class).getCopyAPI();
    }

    private static void createLoaded(String table) throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " " + LOADED);
    }

    private static String textRows(int count) {
        StringBuilder rows = new StringBuilder(count * 16);
        for (int i = 1; i <= count; i++) {
            rows.append("label ").append(i).append('\t').append(i).append('\n');
        }
        return rows.toString();
    }

    /** Both sides hold the same rows, drawn values included, and as many as expected; no uuid repeats. */
    private static void assertLoadedIdentically(String table, int rows) throws SQLException {
        DualWriteDatabases.assertIdentical(DATABASE, table);
        assertEquals(rows, count(DualWriteDatabases.source(DATABASE), table));
        assertEquals(rows, count(DualWriteDatabases.target(DATABASE), table));
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement();
                ResultSet distinct = statement.executeQuery("select count(distinct uid) from " + table)) {
            distinct.next();
            assertEquals(rows, distinct.getLong(1), "every row has its own uuid");
        }
    }

    private static long count(ConnectionTarget server, String table) throws SQLException {
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select count(*) from " + table)) {
            result.next();
            return result.getLong(1);
        }
    }
}
