package io.exodus.proxy.session;

import io.vertx.core.buffer.Buffer;

/** The established part of a client session, once its backend sessions are open: direct or dual-write. */
public interface Relay {

    /** Bytes the client sent before the relay began (read while the backend sessions were being opened). */
    void fromClient(Buffer early);

    /** Forwards the client's CancelRequest to whatever backend runs its query. */
    void cancelBackend();

    /** Closes the session at its next idle moment (graceful shutdown). */
    void closeWhenIdle();

    /** The client went away. */
    void onClientGone();

    /** Closes the backend sessions (the client session is ending). */
    void closeBackend();
}
