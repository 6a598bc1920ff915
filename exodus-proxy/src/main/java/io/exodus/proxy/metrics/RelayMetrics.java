package io.exodus.proxy.metrics;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * The hot path's view of metrics: one instance per established session, called on its event loop for every
 * client message header, every chunk relayed and every ReadyForQuery. {@link #NONE} does nothing, so that with
 * metrics off the JIT inlines each call to nothing.
 */
public interface RelayMetrics {

    /** A client message header went by (after the relay accepted it). */
    void clientMessage(byte type, int length);

    /**
     * Whether {@link #clientMessageStart} wants the first bytes of client messages, to tell each request's statement
     * class. False for {@link #NONE}: with metrics off nothing is peeked at or classified.
     */
    boolean classifiesStatements();

    /**
     * The first bytes of the body of the client message whose header {@link #clientMessage} reported last: {@code
     * length} bytes of {@code bytes} from {@code index}, at least {@link RequestClassifier#bytesWanted} of them or the
     * whole body. Called only when {@link #classifiesStatements()}, for the types that want bytes, before the
     * message's last byte is forwarded; the bytes are read during the call only.
     */
    void clientMessageStart(byte type, ByteBuf bytes, int index, int length);

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
        public boolean classifiesStatements() {
            return false;
        }

        @Override
        public void clientMessageStart(byte type, ByteBuf bytes, int index, int length) {
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
