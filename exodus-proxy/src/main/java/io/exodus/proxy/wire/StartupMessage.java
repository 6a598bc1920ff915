package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A StartupMessage: protocol version and the client's parameters (user, database, options …). */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) {

    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    public int minorVersion() {
        return protocolVersion & 0xffff;
    }

    public String user() {
        return parameters.get("user");
    }

    /** The database the client asked for; PostgreSQL defaults it to the user name. */
    public String database() {
        String database = parameters.get("database");
        return database == null || database.isEmpty() ? user() : database;
    }

    /**
     * Decodes the body of a startup packet whose code is a protocol version (not a special request). Names and values
     * come in NUL-terminated pairs, the list ended by an empty name that is the packet's last byte; PostgreSQL refuses
     * anything else with this FATAL message.
     */
    public static StartupMessage decode(int protocolVersion, MessageReader reader) {
        Map<String, String> parameters = new LinkedHashMap<>();
        try {
            while (true) {
                String name = reader.readCString();
                if (name.isEmpty()) {
                    break;
                }
                parameters.put(name, reader.readCString());
            }
        } catch (ProtocolViolation truncated) {
            throw ProtocolViolation.of("invalid startup packet layout: expected terminator as last byte");
        }
        if (reader.hasRemaining()) {
            throw ProtocolViolation.of("invalid startup packet layout: expected terminator as last byte");
        }
        return new StartupMessage(protocolVersion, Collections.unmodifiableMap(parameters));
    }

    public Buffer encode() {
        Buffer body = Buffer.buffer(128).appendInt(protocolVersion);
        parameters.forEach((name, value) -> {
            MessageWriter.appendCString(body, name);
            MessageWriter.appendCString(body, value);
        });
        body.appendByte((byte) 0);
        return MessageWriter.message(PgMessage.UNTYPED, body);
    }
}
