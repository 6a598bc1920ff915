package io.exodus.proxy.wire;

/**
 * A Bind message as the proxy reads it: the portal it makes and the statement it binds. The parameter values stay in
 * the body, which is forwarded as it came.
 */
public record Bind(String portal, String statement) {

    public static Bind of(PgMessage bind) {
        MessageReader reader = new MessageReader(bind.body());
        return new Bind(reader.readCString(), reader.readCString());
    }

    /** Whether the Bind passes no parameters (and declares no parameter formats); result formats do not matter. */
    public static boolean withoutParameters(PgMessage bind) {
        MessageReader reader = new MessageReader(bind.body());
        reader.readCString();
        reader.readCString();
        int formats = reader.readShort();
        for (int i = 0; i < formats; i++) {
            reader.readShort();
        }
        return reader.readShort() == 0;
    }

    /** The name of the portal a Bind makes ({@code ""}: the unnamed one), without reading further. */
    public static String portalOf(PgMessage bind) {
        return new MessageReader(bind.body()).readCString();
    }
}
