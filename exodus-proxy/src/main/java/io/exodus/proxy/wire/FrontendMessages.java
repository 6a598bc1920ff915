package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Encoders of the messages the proxy itself sends to a server as a client would: a catalog query, or the extended
 * protocol messages of a row image. Each {@code appendX} frames its message (type byte, length word counting
 * itself, body) at the end of {@code out} and returns {@code out}, so that several messages go out as one write;
 * each {@code x} is the same message alone in a new buffer.
 */
public final class FrontendMessages {

    /** What a Describe or Close names: a prepared statement or a portal. */
    private static final byte STATEMENT = 'S';
    private static final byte PORTAL = 'P';

    private FrontendMessages() {
    }

    public static Buffer query(String sql) {
        return appendQuery(Buffer.buffer(), sql);
    }

    /** A Query as the message a client would have sent. */
    public static PgMessage queryMessage(String sql) {
        return new PgMessage(FrontendMessageType.QUERY, MessageWriter.appendCString(Buffer.buffer(sql.length() + 1), sql));
    }

    /** Query ('Q'): one simple-protocol query text. */
    public static Buffer appendQuery(Buffer out, String sql) {
        int start = begin(out, FrontendMessageType.QUERY);
        MessageWriter.appendCString(out, sql);
        return end(out, start);
    }

    public static Buffer parse(String statement, String sql, int[] parameterTypeOids) {
        return appendParse(Buffer.buffer(), statement, sql, parameterTypeOids);
    }

    /**
     * Parse ('P').
     *
     * @param statement         the prepared statement's name, {@code ""} for the unnamed one
     * @param parameterTypeOids one per parameter the caller wants to fix; 0 lets the server infer the type
     */
    public static Buffer appendParse(Buffer out, String statement, String sql, int[] parameterTypeOids) {
        int start = begin(out, FrontendMessageType.PARSE);
        MessageWriter.appendCString(out, statement);
        MessageWriter.appendCString(out, sql);
        out.appendShort(count(parameterTypeOids.length, "parameter types"));
        for (int oid : parameterTypeOids) {
            out.appendInt(oid);
        }
        return end(out, start);
    }

    public static Buffer bind(String portal, String statement, short[] parameterFormats,
            List<byte[]> parameterValues, short[] resultFormats) {
        return appendBind(Buffer.buffer(), portal, statement, parameterFormats, parameterValues, resultFormats);
    }

    /**
     * Bind ('B').
     *
     * @param portal           the portal's name, {@code ""} for the unnamed one
     * @param statement        the prepared statement's name, {@code ""} for the unnamed one
     * @param parameterFormats none (all text), one (for all parameters) or one per parameter: 0 text, 1 binary
     * @param parameterValues  the values in those formats, {@code null} for SQL NULL
     * @param resultFormats    none (all text), one (for all columns) or one per result column
     */
    public static Buffer appendBind(Buffer out, String portal, String statement, short[] parameterFormats,
            List<byte[]> parameterValues, short[] resultFormats) {
        int start = begin(out, FrontendMessageType.BIND);
        MessageWriter.appendCString(out, portal);
        MessageWriter.appendCString(out, statement);
        appendShorts(out, parameterFormats, "parameter formats");
        out.appendShort(count(parameterValues.size(), "parameters"));
        for (byte[] value : parameterValues) {
            if (value == null) {
                out.appendInt(-1);
            } else {
                out.appendInt(value.length).appendBytes(value);
            }
        }
        appendShorts(out, resultFormats, "result formats");
        return end(out, start);
    }

    public static Buffer describePortal(String portal) {
        return appendDescribePortal(Buffer.buffer(), portal);
    }

    /** Describe ('D') of a portal: answered by RowDescription or NoData. */
    public static Buffer appendDescribePortal(Buffer out, String portal) {
        return appendNamed(out, FrontendMessageType.DESCRIBE, PORTAL, portal);
    }

    public static Buffer describeStatement(String statement) {
        return appendDescribeStatement(Buffer.buffer(), statement);
    }

    /** Describe ('D') of a prepared statement: answered by ParameterDescription, then RowDescription or NoData. */
    public static Buffer appendDescribeStatement(Buffer out, String statement) {
        return appendNamed(out, FrontendMessageType.DESCRIBE, STATEMENT, statement);
    }

    public static Buffer execute(String portal, int maxRows) {
        return appendExecute(Buffer.buffer(), portal, maxRows);
    }

    /** Execute ('E'); {@code maxRows} 0 means all rows. */
    public static Buffer appendExecute(Buffer out, String portal, int maxRows) {
        int start = begin(out, FrontendMessageType.EXECUTE);
        MessageWriter.appendCString(out, portal);
        out.appendInt(maxRows);
        return end(out, start);
    }

    public static Buffer sync() {
        return appendSync(Buffer.buffer());
    }

    /** Sync ('S'): ends an extended-protocol round; the server answers ReadyForQuery. */
    public static Buffer appendSync(Buffer out) {
        return end(out, begin(out, FrontendMessageType.SYNC));
    }

    public static Buffer flush() {
        return appendFlush(Buffer.buffer());
    }

    /** Flush ('H'): asks the server to send what it has produced so far, without ending the round. */
    public static Buffer appendFlush(Buffer out) {
        return end(out, begin(out, FrontendMessageType.FLUSH));
    }

    public static Buffer closeStatement(String statement) {
        return appendCloseStatement(Buffer.buffer(), statement);
    }

    /** Close ('C') of a prepared statement: answered by CloseComplete, even if no such statement exists. */
    public static Buffer appendCloseStatement(Buffer out, String statement) {
        return appendNamed(out, FrontendMessageType.CLOSE, STATEMENT, statement);
    }

    public static Buffer closePortal(String portal) {
        return appendClosePortal(Buffer.buffer(), portal);
    }

    /** Close ('C') of a portal: answered by CloseComplete, even if no such portal exists. */
    public static Buffer appendClosePortal(Buffer out, String portal) {
        return appendNamed(out, FrontendMessageType.CLOSE, PORTAL, portal);
    }

    /** Describe and Close share one body: 'S' or 'P', then the name. */
    private static Buffer appendNamed(Buffer out, byte type, byte kind, String name) {
        int start = begin(out, type);
        MessageWriter.appendCString(out.appendByte(kind), name);
        return end(out, start);
    }

    private static void appendShorts(Buffer out, short[] values, String what) {
        out.appendShort(count(values.length, what));
        for (short value : values) {
            out.appendShort(value);
        }
    }

    /** Appends the type byte and a length word to fill in by {@link #end}; answers where the length word is. */
    private static int begin(Buffer out, byte type) {
        out.appendByte(type);
        int lengthAt = out.length();
        out.appendInt(0);
        return lengthAt;
    }

    private static Buffer end(Buffer out, int lengthAt) {
        return out.setInt(lengthAt, out.length() - lengthAt);
    }

    /** The protocol counts in an Int16 (read unsigned by the server), so 65535 is the most it can say. */
    private static short count(int count, String what) {
        if (count > 0xffff) {
            throw new IllegalArgumentException(count + " " + what + " are more than the protocol's 65535");
        }
        return (short) count;
    }
}
