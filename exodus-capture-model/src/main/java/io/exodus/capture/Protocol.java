package io.exodus.capture;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the client sent the statement. */
public enum Protocol {
    /** A Query message: the text, literals inline, possibly several statements. */
    SIMPLE,
    /** Parse/Bind/Execute: one statement, values as parameters. */
    EXTENDED;

    @JsonValue
    public String wireName() {
        return WireName.of(this);
    }

    @JsonCreator
    public static Protocol fromWire(String text) {
        return WireName.parse(Protocol.class, text);
    }
}
