package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * A Parse message as the proxy reads it: the statement's name and text. The parameter types stay in the body, which
 * is forwarded as it came.
 */
public record Parse(String statement, String sql) {

    /** Reads a Parse's name and text. */
    public static Parse of(PgMessage parse) {
        MessageReader reader = new MessageReader(parse.body());
        return new Parse(reader.readCString(), reader.readCString());
    }

    /** The name of the statement a Parse makes ({@code ""}: the unnamed one), without reading its text. */
    public static String statementOf(PgMessage parse) {
        return new MessageReader(parse.body()).readCString();
    }

    /** The same Parse with another text: its name and parameter types kept. */
    public static PgMessage withSql(PgMessage parse, String sql) {
        MessageReader reader = new MessageReader(parse.body());
        String name = reader.readCString();
        reader.readCString();
        Buffer body = Buffer.buffer();
        MessageWriter.appendCString(body, name);
        MessageWriter.appendCString(body, sql);
        body.appendBytes(reader.readBytes(reader.remaining()));
        return new PgMessage(FrontendMessageType.PARSE, body);
    }

    /** Whether the Parse declares no parameter types (the server infers them all). */
    public static boolean declaresNoTypes(PgMessage parse) {
        MessageReader reader = new MessageReader(parse.body());
        reader.readCString();
        reader.readCString();
        return reader.readShort() == 0;
    }
}
