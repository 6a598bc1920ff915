package io.exodus.proxy.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The class of each request of a connection, from the start of its messages, as the relay and the legs feed it. */
class RequestClassifierTest {
    private final RequestClassifier classifier = new RequestClassifier();

    static byte[] cString(String value) {
        return (value + "\0").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] parse(String name, String sql) {
        return concat(cString(name), cString(sql), new byte[] { 0, 0 });
    }

    static byte[] bind(String portal, String statement) {
        // no parameter formats, no parameters, no result formats
        return concat(cString(portal), cString(statement), new byte[] { 0, 0, 0, 0, 0, 0 });
    }

    static byte[] execute(String portal) {
        return concat(cString(portal), new byte[] { 0, 0, 0, 0 });
    }

    static byte[] close(char kind, String name) {
        return concat(new byte[] { (byte) kind }, cString(name));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private void read(char type, byte[] body) {
        classifier.read((byte) type, Unpooled.wrappedBuffer(body), 0, body.length);
    }

    private StatementClass query(String sql) {
        read('Q', cString(sql));
        return classifier.endRequest();
    }

    private StatementClass sync() {
        return classifier.endRequest();
    }

    @Test
    void aQueryTakesTheClassOfItsText() {
        assertEquals(StatementClass.READ, query("select 1"));
        assertEquals(StatementClass.WRITE, query("begin; insert into t values (1); commit"));
        assertEquals(StatementClass.OTHER, query(""));
    }

    @Test
    void anExtendedRequestTakesTheClassOfTheStatementItExecutes() {
        read('P', parse("", "insert into t values ($1)"));
        read('B', bind("", ""));
        read('D', new byte[] { 'P', 0 });
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync());
        read('B', bind("", ""));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync(), "the unnamed statement stays until the next Parse");
    }

    @Test
    void namedStatementsAreReusedByLaterRequests() {
        read('P', parse("S_1", "select * from t where id = $1"));
        read('P', parse("S_2", "update t set a = $1"));
        assertEquals(StatementClass.WRITE, sync(), "executes nothing: the most write-like of what it parses");
        read('B', bind("", "S_1"));
        read('E', execute(""));
        assertEquals(StatementClass.READ, sync());
        read('B', bind("", "S_2"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync());
        read('B', bind("", "S_1"));
        read('E', execute(""));
        assertEquals(StatementClass.READ, sync());
    }

    @Test
    void aRequestThatExecutesNothingTakesTheClassOfWhatItParses() {
        read('P', parse("S_1", "update t set a = $1"));
        read('D', concat(new byte[] { 'S' }, cString("S_1")));
        assertEquals(StatementClass.WRITE, sync());
        read('B', bind("", "S_1"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync());
        read('B', bind("", "S_1"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync(), "executed again by name");
        assertEquals(StatementClass.OTHER, sync(), "an empty request");
    }

    @Test
    void whatARequestExecutesOutweighsWhatItParses() {
        read('P', parse("S_1", "delete from t"));
        read('P', parse("", "select 1"));
        read('B', bind("", ""));
        read('E', execute(""));
        assertEquals(StatementClass.READ, sync());
    }

    @Test
    void severalExecutesTakeTheMostWriteLikeClass() {
        read('P', parse("begin", "BEGIN"));
        read('P', parse("ins", "INSERT INTO t VALUES ($1)"));
        read('B', bind("", "begin"));
        read('E', execute(""));
        read('B', bind("", "ins"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync());
        read('B', bind("", "begin"));
        read('E', execute(""));
        assertEquals(StatementClass.TRANSACTION, sync());
    }

    @Test
    void aNamedPortalKeepsItsStatementsClassUntilClosed() {
        read('P', parse("", "select * from t"));
        read('B', bind("C_1", ""));
        read('E', execute("C_1"));
        assertEquals(StatementClass.READ, sync());
        read('P', parse("", "insert into t values (1)"));
        read('E', execute("C_1"));
        assertEquals(StatementClass.READ, sync(), "a portal keeps the class it was bound with");
        read('C', close('P', "C_1"));
        read('E', execute("C_1"));
        assertEquals(StatementClass.OTHER, sync(), "a closed portal is forgotten");
    }

    @Test
    void aClosedStatementIsForgotten() {
        read('P', parse("S_1", "insert into t values (1)"));
        assertEquals(StatementClass.WRITE, sync());
        read('C', close('S', "S_1"));
        assertEquals(StatementClass.OTHER, sync());
        read('B', bind("", "S_1"));
        read('E', execute(""));
        assertEquals(StatementClass.OTHER, sync());
        read('P', parse("", "select 1"));
        read('C', close('S', ""));
        read('B', bind("", ""));
        read('E', execute(""));
        assertEquals(StatementClass.OTHER, sync(), "the unnamed statement too");
    }

    @Test
    void unknownStatementsAndPortalsAreOther() {
        read('B', bind("", "never_parsed"));
        read('E', execute(""));
        assertEquals(StatementClass.OTHER, sync());
        read('E', execute("never_bound"));
        assertEquals(StatementClass.OTHER, sync());
    }

    @Test
    void atMostAThousandNamedStatementsAreRemembered() {
        for (int i = 0; i < RequestClassifier.MAX_NAMES + 1; i++) {
            read('P', parse("S_" + i, "insert into t values (" + i + ")"));
        }
        sync();
        assertEquals(RequestClassifier.MAX_NAMES, classifier.namedStatements());
        read('B', bind("", "S_0"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync(), "the first are kept");
        read('B', bind("", "S_" + RequestClassifier.MAX_NAMES));
        read('E', execute(""));
        assertEquals(StatementClass.OTHER, sync(), "one too many is unknown");
        read('C', close('S', "S_0"));
        read('P', parse("S_new", "delete from t"));
        read('B', bind("", "S_new"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync(), "closing one makes room");
    }

    @Test
    void aFullTableOfPortalsIsEmptiedForTheNextOne() {
        read('P', parse("", "select 1"));
        for (int i = 0; i < RequestClassifier.MAX_NAMES; i++) {
            read('B', bind("C_" + i, ""));
        }
        read('E', execute("C_0"));
        assertEquals(StatementClass.READ, sync());
        read('B', bind("C_new", ""));
        read('E', execute("C_new"));
        assertEquals(StatementClass.READ, sync(), "the new portal is remembered");
        read('E', execute("C_0"));
        assertEquals(StatementClass.OTHER, sync(), "the old ones, most likely gone with their transactions, are not");
    }

    @Test
    void namesAreToldApartByTheirFirst63Bytes() {
        String prefix = "s".repeat(RequestClassifier.NAME_BYTES);
        read('P', parse(prefix + "_read", "select 1"));
        read('P', parse(prefix + "_write", "delete from t"));
        read('B', bind("", prefix + "_read"));
        read('E', execute(""));
        assertEquals(StatementClass.WRITE, sync(), "PostgreSQL also sees one name: the second Parse replaced it");
    }

    @Test
    void aNameLongerThanTheBytesReadLeavesItsStatementUnknown() {
        String name = "n".repeat(2 * RequestClassifier.NAME_BYTES + 10);
        read('P', parse(name, "delete from t"));
        assertEquals(StatementClass.OTHER, sync());
        read('B', bind("", name));
        read('E', execute(""));
        assertEquals(StatementClass.OTHER, sync());
    }

    @Test
    void onlyTheBytesWantedAreNeeded() {
        byte[] body = parse("S_1", "insert into t select * from generate_series(1, 1000000)");
        int wanted = RequestClassifier.bytesWanted((byte) 'P');
        classifier.read((byte) 'P', Unpooled.wrappedBuffer(body), 0, Math.min(body.length, wanted));
        assertEquals(StatementClass.WRITE, sync());
        String late = "/*" + " ".repeat(RequestClassifier.TEXT_BYTES) + "*/ insert into t values (1)";
        assertEquals(StatementClass.OTHER, query(late), "the first keyword lies beyond the bytes read");
        assertEquals(0, RequestClassifier.bytesWanted((byte) 'S'));
        assertEquals(0, RequestClassifier.bytesWanted((byte) 'D'));
    }

    @Test
    void framedMessagesAreReadAsALegWritesThem() {
        ByteBuf written = Unpooled.wrappedBuffer(concat(
                framed('Q', cString("BEGIN")),
                framed('P', parse("ins", "insert into t values ($1)")), framed('B', bind("", "ins")),
                framed('E', execute("")), framed('S', new byte[0]),
                framed('Q', cString("COMMIT")),
                framed('P', parse("", "select 1"))));
        assertEquals(StatementClass.WRITE, classifier.readRequests(written, 0, written.readableBytes()));
        read('B', bind("", ""));
        read('E', execute(""));
        assertEquals(StatementClass.READ, sync(), "a Parse after the last Sync counts for the next request");
        ByteBuf commit = Unpooled.wrappedBuffer(framed('Q', cString("COMMIT")));
        assertEquals(StatementClass.TRANSACTION, classifier.readRequests(commit, 0, commit.readableBytes()));
    }

    private static byte[] framed(char type, byte[] body) {
        ByteBuf message = Unpooled.buffer(5 + body.length);
        message.writeByte(type).writeInt(4 + body.length).writeBytes(body);
        return ByteBufUtil.getBytes(message);
    }
}
