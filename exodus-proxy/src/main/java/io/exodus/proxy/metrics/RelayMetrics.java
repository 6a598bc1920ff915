package io.exodus.proxy.metrics;

import io.vertx.core.buffer.Buffer;

/**
 * The hot path's view of metrics: one instance per established session, called on its event loop for every
 * client message header, every chunk relayed and every ReadyForQuery. {@link #NONE} does nothing, so that with
 * metrics off the JIT inlines each call to nothing.
 */
public interface RelayMetrics {

    /** A client message header went by (after the relay accepted it). */
    void clientMessage(byte type, int length);

    /** This many client bytes were just written to the backend. */
    void forwardedToBackend(int bytes);

    /** This many backend bytes were just written to the client. */
    void forwardedToClient(int bytes);

    /** The backend sent ReadyForQuery: the oldest request in flight is answered. */
    void readyForQuery();

    /** Whether {@link #backendError(Buffer)} wants ErrorResponse bodies (capturing them costs a copy each). */
    boolean countsBackendErrors();

    /** The backend sent an ErrorResponse with this body. */
    void backendError(Buffer body);

    /** The session's backend connection is closed (called once). */
    void backendClosed();

    RelayMetrics NONE = new RelayMetrics() {
        @Override
        public void clientMessage(byte type, int length) {
        }

        @Override
        public void forwardedToBackend(int bytes) {
        }

        @Override
        public void forwardedToClient(int bytes) {
        }

        @Override
        public void readyForQuery() {
        }

        @Override
        public boolean countsBackendErrors() {
            return false;
        }

        @Override
        public void backendError(Buffer body) {
        }

        @Override
        public void backendClosed() {
        }
    };
}
