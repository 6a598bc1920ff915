package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.Set;

/**
 * A CommandComplete ('C'): the tag that ends one statement's results, such as {@code INSERT 0 5} or {@code UPDATE 3}.
 * The proxy reads the row count in it to compare what the primary and the secondary did.
 */
public final class CommandComplete {

    /** The commands whose tag ends in a row count (INSERT's has the obsolete OID before it). */
    private static final Set<String> COUNTING_COMMANDS =
            Set.of("INSERT", "UPDATE", "DELETE", "SELECT", "MERGE", "COPY", "FETCH", "MOVE");

    private CommandComplete() {
    }

    /** The tag of a CommandComplete body (after the type byte and length word). */
    public static String tag(Buffer body) {
        return new MessageReader(body).readCString();
    }

    /** The row count at the end of the tag, or -1 when the command reports none ({@code CREATE TABLE}, …). */
    public static long rowCount(String tag) {
        int firstSpace = tag.indexOf(' ');
        int lastSpace = tag.lastIndexOf(' ');
        if (firstSpace < 0 || !COUNTING_COMMANDS.contains(tag.substring(0, firstSpace))) {
            return -1;
        }
        try {
            return Long.parseLong(tag.substring(lastSpace + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
