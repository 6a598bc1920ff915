package io.exodus.proxy.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.RowDescription;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The row image end to end on real servers: an INSERT full of values that differ on every run goes to the source
 * with RETURNING *, and the returned rows, inserted into the target, give the target the very same rows.
 */
class RowImageInsertTest {

    private static final String SCHEMA = "exodus_row_image";

    /**
     * Every kind of value a re-run INSERT would get wrong (sequence, identity, now(), gen_random_uuid(), random()),
     * a stored generated column, and values whose encoding is easy to get wrong. The source's copy has a dropped
     * column, so its column numbers differ from the target's.
     */
    private static String createTable(String table, boolean withDroppedColumn) {
        return "create table " + SCHEMA + "." + table + " ("
                + (withDroppedColumn ? " gone int," : "")
                + " id bigserial primary key,"
                + " seq int generated always as identity,"
                + " created timestamptz default now(),"
                + " local_time timestamp default clock_timestamp(),"
                + " token uuid default gen_random_uuid(),"
                + " chance double precision,"
                + " doubled bigint generated always as (id * 2) stored,"
                + " \"Quoted \"\"name\"\"\" text,"
                + " payload bytea,"
                + " amount numeric,"
                + " doc jsonb,"
                + " numbers int[],"
                + " feeling " + SCHEMA + ".mood,"
                + " nothing text)"
                + (withDroppedColumn ? "; alter table " + SCHEMA + "." + table + " drop column gone" : "");
    }

    private static final String INSERT_COLUMNS = " (chance, \"Quoted \"\"name\"\"\", payload, amount, doc, numbers,"
            + " feeling, nothing) values";
    private static final String ROWS = " (random(), 'it''s \"quoted\" — ünïcødé ✓ \\', '\\x00ff10'::bytea,"
            + " 12345678901234567890.000000001, '{\"a\": [1, 2.5, null], \"b\": \"é\"}', '{1,NULL,3}', 'happy', null),"
            + " (random(), '', null, -0.5, 'null', '{}', null, 'x'),"
            + " (random() * 1e-300, null, '\\x'::bytea, 'NaN', '[]', null, 'sad', ''),"
            + " (-random(), E'tab\\tnew\\nline', decode(repeat('ab', 500), 'hex'), 0, '{}', '{-2147483648}', 'ok',"
            + " repeat('long ', 2000))";

    @BeforeAll
    static void createTheSchemaOnBothServers() throws SQLException {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            execute(server, "drop schema if exists " + SCHEMA + " cascade", "create schema " + SCHEMA);
        }
        // A type created first on the target only, so that the enum has another OID there than on the source.
        execute(TestDatabases.target(), "create type " + SCHEMA + ".shift as enum ('x')");
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            execute(server, "create type " + SCHEMA + ".mood as enum ('sad', 'ok', 'happy')");
        }
    }

    @AfterAll
    static void dropTheSchema() throws SQLException {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            execute(server, "drop schema if exists " + SCHEMA + " cascade");
        }
    }

    @Test
    void textRowsOfASimpleQueryMakeTheTargetIdentical() throws Exception {
        String table = "\"Text \"\"Image\"\"\"";
        createOnBothServers(table);
        String insert = "insert into " + SCHEMA + "." + table + INSERT_COLUMNS + ROWS + "; -- four rows";
        RowImageReturning rewrite = RowImageReturning.of(insert, true).orElseThrow();

        Replies source;
        TableShape shape;
        try (RawPgConnection connection = login(TestDatabases.source())) {
            connection.send(FrontendMessages.query(rewrite.rewrittenSql()).getBytes());
            source = Replies.readUntilReady(connection);
            shape = tableShape(connection, source.description().fields().get(0).tableOid());
        }

        assertEquals(List.of("INSERT 0 4"), source.tags());
        assertTrue(source.description().fields().stream().allMatch(f -> f.format() == RowDescription.TEXT_FORMAT));
        copyToTargetAndCompare(table, shape, source);
    }

    @Test
    void binaryRowsOfTheExtendedProtocolMakeTheTargetIdentical() throws Exception {
        String table = "binary_image";
        createOnBothServers(table);
        String insert = "INSERT INTO " + SCHEMA + "." + table + INSERT_COLUMNS + ROWS;
        RowImageReturning rewrite = RowImageReturning.of(insert, true).orElseThrow();

        Replies source;
        TableShape shape;
        try (RawPgConnection connection = login(TestDatabases.source())) {
            Buffer out = Buffer.buffer();
            FrontendMessages.appendParse(out, "", rewrite.rewrittenSql(), new int[0]);
            FrontendMessages.appendBind(out, "", "", new short[0], List.of(),
                    new short[] {RowDescription.BINARY_FORMAT});
            FrontendMessages.appendDescribePortal(out, "");
            FrontendMessages.appendExecute(out, "", 0);
            FrontendMessages.appendSync(out);
            connection.send(out.getBytes());
            source = Replies.readUntilReady(connection);
            shape = tableShape(connection, source.description().fields().get(0).tableOid());
        }

        assertEquals(List.of("INSERT 0 4"), source.tags());
        assertTrue(source.description().fields().stream().allMatch(f -> f.format() == RowDescription.BINARY_FORMAT));
        copyToTargetAndCompare(table, shape, source);
    }

    @Test
    void theCatalogQueryReadsNamesGeneratedColumnsAndIdentity() throws Exception {
        String table = "\"Shape \"\"Of\"\" It\"";
        createOnBothServers(table);
        try (RawPgConnection connection = login(TestDatabases.source())) {
            int oid = Integer.parseUnsignedInt(simpleQuery(connection,
                    "select '" + SCHEMA + "." + table.replace("'", "''") + "'::regclass::oid").get(0).get(0));
            TableShape shape = tableShape(connection, oid);

            assertEquals(oid, shape.tableOid());
            assertEquals(SCHEMA + "." + table, shape.qualifiedName());
            // Column 1 was dropped: numbering starts at 2 and skips it.
            assertFalse(shape.columnNamesByNumber().containsKey((short) 1));
            assertEquals("id", shape.columnName((short) 2));
            assertEquals("Quoted \"name\"", shape.columnName((short) 9));
            assertEquals(Set.of((short) 8), shape.generatedColumns());
            assertTrue(shape.hasIdentity());
            assertEquals(List.of(), simpleQuery(connection, TableShapeQuery.sql(0)));
        }
    }

    @Test
    void aTableWithoutColumnsHasAShapeAndWithoutIdentityHasNoIdentity() throws Exception {
        execute(TestDatabases.source(), "create table " + SCHEMA + ".empty ()",
                "create table " + SCHEMA + ".plain (a int, b text)");
        try (RawPgConnection connection = login(TestDatabases.source())) {
            int empty = Integer.parseUnsignedInt(simpleQuery(connection,
                    "select '" + SCHEMA + ".empty'::regclass::oid").get(0).get(0));
            int plain = Integer.parseUnsignedInt(simpleQuery(connection,
                    "select '" + SCHEMA + ".plain'::regclass::oid").get(0).get(0));

            TableShape emptyShape = tableShape(connection, empty);
            assertEquals(Map.of(), emptyShape.columnNamesByNumber());
            assertEquals(SCHEMA + ".empty", emptyShape.qualifiedName());

            TableShape plainShape = tableShape(connection, plain);
            assertFalse(plainShape.hasIdentity());
            assertEquals(Map.of((short) 1, "a", (short) 2, "b"), plainShape.columnNamesByNumber());
        }
    }

    @Test
    void noRowsMakeNoMessages() {
        TableShape shape = new TableShape(1, "public.t", Map.of((short) 1, "a"), Set.of(), false);
        RowDescription description = new RowDescription(List.of(
                new RowDescription.Field("a", 1, (short) 1, 23, (short) 4, -1, RowDescription.TEXT_FORMAT)));
        assertEquals(0, RowImageInsert.messages(shape, description, List.of()).length());
        assertEquals(0, RowImageInsert.expectedCommandCompletes(List.of()));
    }

    @Test
    void theStatementNamesOnlyTheTablesOwnNonGeneratedColumns() {
        TableShape shape = new TableShape(7, "s.\"T\"", Map.of((short) 1, "id", (short) 2, "twice", (short) 3,
                "Odd \"one\""), Set.of((short) 2), true);
        RowDescription description = new RowDescription(List.of(
                new RowDescription.Field("Odd \"one\"", 7, (short) 3, 16400, (short) -1, -1, (short) 0),
                new RowDescription.Field("id", 7, (short) 1, 20, (short) 8, -1, (short) 1),
                new RowDescription.Field("twice", 7, (short) 2, 20, (short) 8, -1, (short) 0),
                new RowDescription.Field("other", 8, (short) 1, 20, (short) 8, -1, (short) 0),
                new RowDescription.Field("?column?", 0, (short) 0, 23, (short) 4, -1, (short) 0)));

        assertEquals("INSERT INTO s.\"T\" (\"Odd \"\"one\"\"\", \"id\") OVERRIDING SYSTEM VALUE VALUES ($1, $2)",
                RowImageInsert.statement(shape, description));

        byte[] nine = {0, 0, 0, 0, 0, 0, 0, 9};
        List<byte[]> row = Arrays.asList(null, nine, bytes("18"), bytes("x"), bytes("1"));
        Buffer expected = Buffer.buffer();
        // A user-defined type's OID is the source's own: the target infers the type from the column instead.
        FrontendMessages.appendParse(expected, "", RowImageInsert.statement(shape, description), new int[] {0, 20});
        FrontendMessages.appendBind(expected, "", "", new short[] {0, 1}, Arrays.asList(null, nine), new short[0]);
        FrontendMessages.appendExecute(expected, "", 0);
        assertEquals(expected, RowImageInsert.messages(shape, description, List.of(row)));
    }

    @Test
    void aTableOfOnlyGeneratedColumnsGetsDefaultValues() {
        TableShape shape = new TableShape(7, "t", Map.of((short) 1, "g"), Set.of((short) 1), false);
        RowDescription description = new RowDescription(List.of(
                new RowDescription.Field("g", 7, (short) 1, 23, (short) 4, -1, (short) 0)));
        assertEquals("INSERT INTO t DEFAULT VALUES", RowImageInsert.statement(shape, description));
    }

    private static void copyToTargetAndCompare(String table, TableShape shape, Replies source) throws Exception {
        assertEquals(4, source.rows().size());
        assertFalse(RowImageInsert.statement(shape, source.description()).contains("doubled"));
        Buffer image = RowImageInsert.messages(shape, source.description(), source.rows());
        Replies target;
        try (RawPgConnection connection = login(TestDatabases.target())) {
            connection.send(image.appendBuffer(FrontendMessages.sync()).getBytes());
            target = Replies.readUntilReady(connection);
        }
        assertEquals(List.of(), target.errors());
        assertEquals(RowImageInsert.expectedCommandCompletes(source.rows()), target.tags().size());
        assertTrue(target.tags().stream().allMatch(tag -> CommandComplete.rowCount(tag) == 1), target.tags()::toString);

        List<String> sourceRows = rowsAsText(TestDatabases.source(), table);
        List<String> targetRows = rowsAsText(TestDatabases.target(), table);
        assertEquals(4, sourceRows.size());
        assertEquals(sourceRows, targetRows);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void createOnBothServers(String table) throws SQLException {
        execute(TestDatabases.source(), createTable(table, true));
        execute(TestDatabases.target(), createTable(table, false));
    }

    private static TableShape tableShape(RawPgConnection connection, int tableOid) throws IOException {
        return TableShape.fromRows(simpleQuery(connection, TableShapeQuery.sql(tableOid)));
    }

    private static List<List<String>> simpleQuery(RawPgConnection connection, String sql) throws IOException {
        connection.send(FrontendMessages.query(sql).getBytes());
        Replies replies = Replies.readUntilReady(connection);
        assertEquals(List.of(), replies.errors());
        List<List<String>> rows = new ArrayList<>();
        for (List<byte[]> row : replies.rows()) {
            List<String> text = new ArrayList<>();
            row.forEach(value -> text.add(value == null ? null : new String(value, StandardCharsets.UTF_8)));
            rows.add(text);
        }
        return rows;
    }

    /** Every column of every row as PostgreSQL prints a whole row. */
    private static List<String> rowsAsText(LocalPostgres server, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect(server).openJdbc();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "select r::text from " + SCHEMA + "." + table + " r order by id")) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    private static RawPgConnection login(LocalPostgres server) throws IOException {
        RawPgConnection connection = new RawPgConnection(server.host(), server.port());
        connection.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, TestUsers.DEFAULT_DATABASE);
        return connection;
    }

    /** The md5 role: RawPgConnection speaks md5, not SCRAM. It may create schemas in its database. */
    private static ConnectionTarget connect(LocalPostgres server) {
        return ConnectionTarget.of(server, TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, TestUsers.DEFAULT_DATABASE);
    }

    private static void execute(LocalPostgres server, String... sql) throws SQLException {
        try (Connection connection = connect(server).openJdbc(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    /** What a server answered up to ReadyForQuery. */
    private record Replies(RowDescription description, List<List<byte[]>> rows, List<String> tags,
            List<String> errors) {

        static Replies readUntilReady(RawPgConnection connection) throws IOException {
            RowDescription description = null;
            List<List<byte[]>> rows = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            while (true) {
                RawPgConnection.Message message = connection.read();
                Buffer body = Buffer.buffer(message.body());
                switch (message.type()) {
                    case 'T' -> description = RowDescription.decode(body);
                    case 'D' -> rows.add(DataRow.decode(body));
                    case 'C' -> tags.add(CommandComplete.tag(body));
                    case 'E' -> errors.add(message.fields().toString());
                    case 'Z' -> {
                        return new Replies(description, rows, tags, errors);
                    }
                    default -> {
                    }
                }
            }
        }
    }
}
