package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * A ParameterStatus ('S'): the server tells the client a setting's value, at startup and whenever a reported setting
 * ({@code application_name}, {@code TimeZone}, …) changes.
 */
public record ParameterStatus(String name, String value) {

    /** The setting of a ParameterStatus body (after the type byte and length word). */
    public static ParameterStatus decode(Buffer body) {
        MessageReader reader = new MessageReader(body);
        return new ParameterStatus(reader.readCString(), reader.readCString());
    }
}
