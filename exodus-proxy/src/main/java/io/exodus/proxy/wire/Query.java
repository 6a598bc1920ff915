package io.exodus.proxy.wire;

/** A simple Query message's text. */
public final class Query {
    private Query() {
    }

    public static String textOf(PgMessage query) {
        return new MessageReader(query.body()).readCString();
    }
}
