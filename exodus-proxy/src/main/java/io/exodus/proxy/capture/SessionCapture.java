package io.exodus.proxy.capture;

import io.netty.buffer.ByteBuf;

/**
 * What a relay tells the capture tap about one client session, on the session's event loop: the headers of the
 * client's messages and, for those the tap asks for, their bodies; and the answers the client is sent. The relay calls
 * these as the bytes go by and keeps streaming; the tap takes only what a statement event needs (a Query's or Parse's
 * text, a Bind's names — and its values when they are captured —, command tags, errors, ReadyForQuery), never rows.
 * It turns them into events and hands those to a bounded buffer that never waits; nothing here does I/O.
 * <p>
 * {@link #NONE} (capture off) does nothing and asks for nothing.
 */
public interface SessionCapture {

    /** Whether this session is captured at all; false for {@link #NONE}, so that a relay can skip its hooks. */
    boolean enabled();

    /**
     * A client message's header went by. Returns whether the tap wants its whole body (then handed to
     * {@link #clientMessage}); a Bind whose values are not wanted still gives its first {@link #BIND_NAMES_BYTES} to
     * {@link #clientMessageStart}.
     */
    boolean clientHeader(byte type, int length);

    /** The whole body of the client message whose header came last ({@code length} bytes from {@code index}). */
    void clientMessage(byte type, ByteBuf bytes, int index, int length);

    /** The first bytes of the body of the client message whose header came last, for a Bind: its portal and statement names. */
    void clientMessageStart(byte type, ByteBuf bytes, int index, int length);

    /**
     * A message to the client went by: returns whether the tap wants its body, handed to {@link #answer}
     * (CommandComplete, ErrorResponse, ReadyForQuery); header-only answers (EmptyQueryResponse, PortalSuspended) are
     * taken here.
     */
    boolean answerHeader(byte type);

    /** The body of an answer {@link #answerHeader} asked for. */
    void answer(byte type, ByteBuf bytes, int index, int length);

    /**
     * Dual-write: one request on one leg took {@code nanos}; added to the statement being answered, so that its event
     * carries each database's time ({@code sourceMicros}, {@code targetMicros}).
     */
    void legAnswered(boolean target, long nanos);

    /** The session ended; what was not answered is not captured. */
    void closed();

    /**
     * The session moves to another relay (a phase change hands it over between two transactions): as {@link #closed},
     * but what the tap follows of the session, its settings, waits for the capture the next relay opens for it.
     */
    void handedOff();

    /** How many bytes of a Bind's body name its portal and statement (names of up to 63 bytes, as PostgreSQL's). */
    int BIND_NAMES_BYTES = 2 * 64;

    SessionCapture NONE = new SessionCapture() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean clientHeader(byte type, int length) {
            return false;
        }

        @Override
        public void clientMessage(byte type, ByteBuf bytes, int index, int length) {
        }

        @Override
        public void clientMessageStart(byte type, ByteBuf bytes, int index, int length) {
        }

        @Override
        public boolean answerHeader(byte type) {
            return false;
        }

        @Override
        public void answer(byte type, ByteBuf bytes, int index, int length) {
        }

        @Override
        public void legAnswered(boolean target, long nanos) {
        }

        @Override
        public void closed() {
        }

        @Override
        public void handedOff() {
        }
    };
}
