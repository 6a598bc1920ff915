package io.exodus.proxy.session;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.wire.ErrorResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** The established part of a client session, once its backend sessions are open: direct or dual-write. */
public interface Relay {

    /** Bytes the client sent before the relay began (read while the backend sessions were being opened). */
    void fromClient(Buffer early);

    /** Forwards the client's CancelRequest to whatever backend runs its query. */
    void cancelBackend();

    /** Closes the session at its next idle moment (graceful shutdown). */
    void closeWhenIdle();

    /**
     * Ends the session's open transaction without cutting a request: at once when no request is in flight, else once
     * the request in flight has been answered, if the transaction is still open then. The session is closed with
     * {@code why}, which rolls the transaction back on every database ({@code LongTransactions.CANCEL}).
     */
    void endOpenTransaction(ErrorResponse why);

    /** The client went away. */
    void onClientGone();

    /** Closes the backend sessions (the client session is ending). */
    void closeBackend();

    /**
     * Runs {@code quiet} once the session is between requests: no transaction open, no request in flight, no message
     * half-received. From then on the relay holds what the client sends, unforwarded, until {@link #resume()} or
     * {@link #detach()}. A later call replaces an earlier one that has not run yet.
     */
    void holdWhenQuiet(Runnable quiet);

    /** Forwards what was held and relays as before. */
    void resume();

    /**
     * Stops relaying for good, while held at a quiet moment, and hands the primary's connection and what the client
     * sent meanwhile to the next relay; any other backend connection of the relay is closed.
     */
    Future<HandOff> detach();

    /** What a relay leaves to the one that takes over the session. */
    record HandOff(BackendConnection primary, Buffer fromClient) {
    }
}
