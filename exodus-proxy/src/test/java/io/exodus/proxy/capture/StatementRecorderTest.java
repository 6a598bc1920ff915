package io.exodus.proxy.capture;

import io.exodus.capture.Protocol;
import io.exodus.capture.TransactionBoundary;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The session's capture against message sequences as PostgreSQL exchanges them, without servers. */
class StatementRecorderTest {
    private final CaptureBuffer buffer = new CaptureBuffer(1000, 1000);
    private final StatementRecorder recorder = new StatementRecorder(7, Map.of("user", "app", "TimeZone", "Europe/Paris",
            "options", "-c search_path=app,public"), new CaptureSettings(URI.create("http://a"), 1,
            ParameterCapture.ALL, 1, Pattern.compile("secret"), 1000, 100, Duration.ofSeconds(1), 1000, 1,
            Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMinutes(1)), buffer);

    @Test
    void aRollbackToASavepointKeepsItsStatementInsideTheTransaction() {
        simple("BEGIN", "BEGIN", 'T');
        simple("SAVEPOINT a", "SAVEPOINT", 'T');
        simple("ROLLBACK TO SAVEPOINT a", "ROLLBACK", 'T');
        simple("COMMIT", "COMMIT", 'I');
        simple("SELECT 1", "SELECT 1", 'I');
        List<CapturedStatement> statements = drained();
        assertEquals(List.of(TransactionBoundary.BEGIN, TransactionBoundary.INSIDE, TransactionBoundary.INSIDE,
                TransactionBoundary.COMMIT, TransactionBoundary.AUTOCOMMIT),
                statements.stream().map(CapturedStatement::boundary).toList());
        assertEquals(List.of(1L, 1L, 1L, 1L, -1L), statements.stream().map(CapturedStatement::transactionId).toList());
        assertEquals(7, statements.get(0).sessionId());
    }

    @Test
    void aQueryOfSeveralStatementsGivesOneEachInOrder() {
        client(FrontendMessageType.QUERY, cString("INSERT INTO t VALUES (1); SELECT 2"));
        answer(BackendMessageType.COMMAND_COMPLETE, cString("INSERT 0 1"));
        answer(BackendMessageType.COMMAND_COMPLETE, cString("SELECT 1"));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { 'I' });
        List<CapturedStatement> statements = drained();
        assertEquals(List.of(0, 1), statements.stream().map(CapturedStatement::statementIndex).toList());
        assertEquals(List.of("INSERT 0 1", "SELECT 1"), statements.stream().map(CapturedStatement::tag).toList());
        assertEquals(Protocol.SIMPLE, statements.get(1).protocol());
    }

    @Test
    void anErrorInAPipelineEndsItsRequestAndTheStatementsAfterItNeverRan() {
        client(FrontendMessageType.PARSE, concat(cString("s1"), cString("UPDATE t SET v = $1"), new byte[] { 0, 0 }));
        for (int i = 0; i < 3; i++) {
            client(FrontendMessageType.BIND, bind("", "s1", "v" + i));
            client(FrontendMessageType.EXECUTE, concat(cString(""), new byte[4]));
        }
        client(FrontendMessageType.SYNC, new byte[0]);
        answer(BackendMessageType.COMMAND_COMPLETE, cString("UPDATE 2"));
        answer(BackendMessageType.ERROR_RESPONSE, concat(new byte[] { 'S' }, cString("ERROR"), new byte[] { 'C' },
                cString("23505"), new byte[] { 0 }));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { 'I' });
        List<CapturedStatement> statements = drained();
        assertEquals(2, statements.size());
        assertEquals("UPDATE 2", statements.get(0).tag());
        assertEquals("23505", statements.get(1).sqlstate());
        assertNull(statements.get(1).tag());
        assertEquals("s1", statements.get(0).preparedName());
        assertEquals(List.of("v0"), BindValues.decode(statements.get(0).bindBody()).values());
        assertEquals(List.of("v1"), BindValues.decode(statements.get(1).bindBody()).values());
    }

    @Test
    void aPortalReadInPiecesIsOneStatementAtItsCompletion() {
        client(FrontendMessageType.PARSE, concat(cString(""), cString("SELECT * FROM t"), new byte[] { 0, 0 }));
        client(FrontendMessageType.BIND, bind("p", "", null));
        client(FrontendMessageType.EXECUTE, concat(cString("p"), new byte[] { 0, 0, 0, 5 }));
        client(FrontendMessageType.EXECUTE, concat(cString("p"), new byte[] { 0, 0, 0, 5 }));
        client(FrontendMessageType.SYNC, new byte[0]);
        assertEquals(false, recorder.answerHeader(BackendMessageType.PORTAL_SUSPENDED));
        answer(BackendMessageType.COMMAND_COMPLETE, cString("SELECT 8"));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { 'I' });
        List<CapturedStatement> statements = drained();
        assertEquals(1, statements.size());
        assertEquals("SELECT * FROM t", statements.get(0).text());
        assertEquals(8L, EventAssembler.rows(statements.get(0).tag()));
    }

    @Test
    void rowCountsComeFromTheCommandTagsThatCarryOne() {
        assertEquals(3L, EventAssembler.rows("UPDATE 3"));
        assertEquals(1L, EventAssembler.rows("INSERT 0 1"));
        assertEquals(12L, EventAssembler.rows("COPY 12"));
        assertNull(EventAssembler.rows("CREATE TABLE"));
        assertNull(EventAssembler.rows("BEGIN"));
        assertNull(EventAssembler.rows(null));
    }

    @Test
    void aBoundExecutionCarriesTheParameterTypesItsParseDeclared() {
        // Parse "s2": two parameters, int8 (OID 20) declared, the second left to the server (0).
        client(FrontendMessageType.PARSE, concat(cString("s2"), cString("SELECT $1 + length($2)"),
                new byte[] { 0, 2, 0, 0, 0, 20, 0, 0, 0, 0 }));
        client(FrontendMessageType.BIND, bind("", "s2", "41"));
        client(FrontendMessageType.EXECUTE, concat(cString(""), new byte[] { 0, 0, 0, 0 }));
        client(FrontendMessageType.SYNC, new byte[0]);
        answer(BackendMessageType.PARSE_COMPLETE, new byte[0]);
        answer(BackendMessageType.COMMAND_COMPLETE, cString("SELECT 1"));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { 'I' });
        List<CapturedStatement> statements = drained();
        assertEquals(1, statements.size());
        assertEquals(List.of(20L, 0L), java.util.Arrays.stream(statements.get(0).parameterTypes()).boxed().toList());
        assertEquals(List.of(20L, 0L), new EventAssembler(Pattern.compile("secret")).event(statements.get(0))
                .parameterTypes());
    }

    @Test
    void eachStatementCarriesTheSettingsItRanUnderFromStartUpAndItsSessionsSets() {
        simple("SELECT 1", "SELECT 1", 'I');
        simple("SET search_path TO other, \"My Schema\"", "SET", 'I');
        simple("SELECT 2", "SELECT 1", 'I');
        simple("RESET search_path", "RESET", 'I');
        simple("SELECT 3", "SELECT 1", 'I');
        simple("SET TIME ZONE 'UTC'", "SET", 'I');
        simple("RESET ALL", "RESET", 'I');
        simple("SELECT 4", "SELECT 1", 'I');
        List<Map<String, String>> settings = drained().stream().map(CapturedStatement::settings).toList();
        Map<String, String> atStart = Map.of("timezone", "Europe/Paris", "search_path", "app,public");
        assertEquals(atStart, settings.get(0));
        assertEquals(Map.of("timezone", "Europe/Paris", "search_path", "other, \"My Schema\""), settings.get(2));
        assertEquals(atStart, settings.get(4), "RESET goes back to the start-up value");
        assertEquals(Map.of("timezone", "UTC", "search_path", "app,public"), settings.get(6),
                "a SET carries the settings before it");
        assertEquals(atStart, settings.get(7));
    }

    @Test
    void aRolledBackSetAndASetLocalLastNoLongerThanTheirTransaction() {
        simple("BEGIN", "BEGIN", 'T');
        simple("SET datestyle = 'SQL, DMY'", "SET", 'T');
        simple("ROLLBACK", "ROLLBACK", 'I');
        simple("SELECT 1", "SELECT 1", 'I');
        simple("BEGIN", "BEGIN", 'T');
        simple("SET LOCAL work_mem = '64MB'", "SET", 'T');
        simple("SET statement_timeout = 5000", "SET", 'T');
        simple("SELECT 2", "SELECT 1", 'T');
        simple("COMMIT", "COMMIT", 'I');
        simple("SELECT 3", "SELECT 1", 'I');
        // An error in a Query's implicit transaction undoes its SET.
        client(FrontendMessageType.QUERY, cString("SET extra_float_digits = -3; SELECT 1 / 0"));
        answer(BackendMessageType.COMMAND_COMPLETE, cString("SET"));
        answer(BackendMessageType.ERROR_RESPONSE, concat(new byte[] { 'C' }, cString("22012"), new byte[] { 0 }));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { 'I' });
        simple("SELECT 4", "SELECT 1", 'I');
        List<CapturedStatement> statements = drained();
        Map<String, String> base = Map.of("timezone", "Europe/Paris", "search_path", "app,public");
        assertEquals(base, settingsOf(statements, "SELECT 1"));
        Map<String, String> inside = new java.util.TreeMap<>(base);
        inside.put("work_mem", "64MB");
        inside.put("statement_timeout", "5000");
        assertEquals(inside, settingsOf(statements, "SELECT 2"));
        Map<String, String> after = new java.util.TreeMap<>(base);
        after.put("statement_timeout", "5000");
        assertEquals(after, settingsOf(statements, "SELECT 3"));
        assertEquals(after, settingsOf(statements, "SELECT 4"));
    }

    @Test
    void aCustomSettingsValueIsWithheldWithoutParameterCaptureAndARedactedNameAlways() {
        CaptureBuffer own = new CaptureBuffer(100, 100);
        StatementRecorder withoutValues = new StatementRecorder(8, Map.of(), new CaptureSettings(URI.create("http://a"),
                1, ParameterCapture.OFF, 1, Pattern.compile("secret"), 1000, 100, Duration.ofSeconds(1), 1000, 1,
                Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMinutes(1)), own);
        for (String sql : List.of("SELECT set_config('app.tenant', '42', false)", "SET my_secret_level = 3",
                "SELECT 1")) {
            ByteBuf text = Unpooled.wrappedBuffer(cString(sql));
            if (withoutValues.clientHeader(FrontendMessageType.QUERY, text.readableBytes() + 4)) {
                withoutValues.clientMessage(FrontendMessageType.QUERY, text, 0, text.readableBytes());
            }
            for (String tag : List.of(sql.startsWith("SET") ? "SET" : "SELECT 1")) {
                ByteBuf body = Unpooled.wrappedBuffer(cString(tag));
                withoutValues.answerHeader(BackendMessageType.COMMAND_COMPLETE);
                withoutValues.answer(BackendMessageType.COMMAND_COMPLETE, body, 0, body.readableBytes());
            }
            withoutValues.answerHeader(BackendMessageType.READY_FOR_QUERY);
            withoutValues.answer(BackendMessageType.READY_FOR_QUERY, Unpooled.wrappedBuffer(new byte[] { 'I' }), 0, 1);
        }
        List<CaptureItem> items = new ArrayList<>();
        own.drainTo(items, 100);
        List<CapturedStatement> statements = items.stream().map(CapturedStatement.class::cast).toList();
        assertEquals(Map.of("app.tenant", io.exodus.capture.SessionSettings.WITHHELD,
                "my_secret_level", io.exodus.capture.SessionSettings.WITHHELD), statements.get(2).settings());
    }

    @Test
    void aSessionHandedToAnotherRelayKeepsTheSettingsItChanged() {
        CaptureSettings settings = new CaptureSettings(URI.create("http://a"), 1, ParameterCapture.ALL, 1,
                Pattern.compile("secret"), 1000, 100, Duration.ofSeconds(1), 1000, 1, Duration.ofMillis(1),
                Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(1));
        CaptureBuffer own = new CaptureBuffer(100, 100);
        List<SettingsFollower> parked = new ArrayList<>();
        StatementRecorder before = new StatementRecorder(9, new SettingsFollower(Map.of("TimeZone", "UTC"),
                Pattern.compile("secret"), true), settings, own, parked::add);
        query(before, "SET search_path = app", "SET");
        before.handedOff();
        assertEquals(1, parked.size(), "the settings wait for the next relay's capture");
        StatementRecorder after = new StatementRecorder(9, parked.get(0), settings, own, parked::add);
        query(after, "SELECT 1", "SELECT 1");
        List<CaptureItem> items = new ArrayList<>();
        own.drainTo(items, 100);
        assertEquals(Map.of("timezone", "UTC", "search_path", "app"), ((CapturedStatement) items.get(1)).settings());
    }

    private static void query(StatementRecorder recorder, String sql, String tag) {
        ByteBuf text = Unpooled.wrappedBuffer(cString(sql));
        if (recorder.clientHeader(FrontendMessageType.QUERY, text.readableBytes() + 4)) {
            recorder.clientMessage(FrontendMessageType.QUERY, text, 0, text.readableBytes());
        }
        ByteBuf complete = Unpooled.wrappedBuffer(cString(tag));
        recorder.answerHeader(BackendMessageType.COMMAND_COMPLETE);
        recorder.answer(BackendMessageType.COMMAND_COMPLETE, complete, 0, complete.readableBytes());
        recorder.answerHeader(BackendMessageType.READY_FOR_QUERY);
        recorder.answer(BackendMessageType.READY_FOR_QUERY, Unpooled.wrappedBuffer(new byte[] { 'I' }), 0, 1);
    }

    private static Map<String, String> settingsOf(List<CapturedStatement> statements, String text) {
        return statements.stream().filter(statement -> statement.text().equals(text)).findFirst().orElseThrow()
                .settings();
    }

    private void simple(String sql, String tag, char status) {
        client(FrontendMessageType.QUERY, cString(sql));
        answer(BackendMessageType.COMMAND_COMPLETE, cString(tag));
        answer(BackendMessageType.READY_FOR_QUERY, new byte[] { (byte) status });
    }

    private void client(byte type, byte[] body) {
        ByteBuf bytes = Unpooled.wrappedBuffer(body);
        if (recorder.clientHeader(type, body.length + 4)) {
            recorder.clientMessage(type, bytes, 0, body.length);
        } else if (type == FrontendMessageType.BIND) {
            recorder.clientMessageStart(type, bytes, 0, Math.min(body.length, SessionCapture.BIND_NAMES_BYTES));
        }
    }

    private void answer(byte type, byte[] body) {
        if (recorder.answerHeader(type)) {
            recorder.answer(type, Unpooled.wrappedBuffer(body), 0, body.length);
        }
    }

    private List<CapturedStatement> drained() {
        List<CaptureItem> items = new ArrayList<>();
        buffer.drainTo(items, 1000);
        return items.stream().map(CapturedStatement.class::cast).toList();
    }

    private static byte[] bind(String portal, String statement, String value) {
        ByteBuf body = Unpooled.buffer();
        body.writeBytes(cString(portal)).writeBytes(cString(statement)).writeShort(0);
        if (value == null) {
            body.writeShort(0);
        } else {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            body.writeShort(1).writeInt(bytes.length).writeBytes(bytes);
        }
        body.writeShort(0);
        byte[] out = new byte[body.readableBytes()];
        body.readBytes(out);
        return out;
    }

    private static byte[] cString(String text) {
        return concat(text.getBytes(StandardCharsets.UTF_8), new byte[] { 0 });
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
