package io.exodus.proxy.wire;

/** An Execute message's portal, as the proxy reads it; the row limit stays in the body. */
public final class Execute {
    private Execute() {
    }

    /** The portal an Execute runs ({@code ""}: the unnamed one). */
    public static String portalOf(PgMessage execute) {
        return new MessageReader(execute.body()).readCString();
    }
}
