package io.exodus.proxy.wire;

/** The 32-bit codes that open a startup-phase packet in place of a protocol version. */
public final class StartupCode {
    public static final int PROTOCOL_3_0 = 3 << 16;
    public static final int CANCEL_REQUEST = 80877102;
    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    /** PostgreSQL refuses startup packets longer than this (MAX_STARTUP_PACKET_LENGTH). */
    public static final int MAX_STARTUP_PACKET_LENGTH = 10000;
    /** The one-byte answer to an SSLRequest (or GSSENCRequest) that accepts it: the handshake follows. */
    public static final byte ENCRYPTION_ACCEPTED = 'S';
    /** The one-byte answer to an SSLRequest (or GSSENCRequest) that declines it: the session goes on in the clear. */
    public static final byte ENCRYPTION_DECLINED = 'N';

    private StartupCode() {
    }
}
