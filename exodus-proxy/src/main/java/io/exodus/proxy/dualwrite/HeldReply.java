package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

/**
 * Keeps a primary's answer back until the secondary has applied the same request, so that the client sees it only
 * once the policy has decided. Answers to statements Exodus added in front (the {@code BEGIN} of an autocommit
 * write) are dropped, up to their ReadyForQuery.
 */
final class HeldReply implements Leg.Sink {
    private final Buffer held = Buffer.buffer(256);
    private int readyToSkip;

    HeldReply(int readyForQueriesToSkip) {
        this.readyToSkip = readyForQueriesToSkip;
    }

    @Override
    public void accept(PgMessage message) {
        if (readyToSkip > 0) {
            if (message.type() == BackendMessageType.READY_FOR_QUERY) {
                readyToSkip--;
            }
            return;
        }
        append(message);
    }

    void append(PgMessage message) {
        held.appendByte(message.type()).appendInt(message.body().length() + 4).appendBuffer(message.body());
    }

    /**
     * The answer with its last ReadyForQuery saying {@code status}: an autocommit write that Exodus wrapped in a
     * transaction is idle again once committed, whatever the wrapped ReadyForQuery said.
     */
    Buffer withFinalStatus(byte status) {
        return ReplySynthesizer.setFinalStatus(held, status);
    }

    /** Passes on what comes after the first ReadyForQuery: the answer to Exodus' own BEGIN is dropped. */
    static Leg.Sink afterFirstReadyForQuery(Leg.Sink next) {
        return new Leg.Sink() {
            private boolean begun;

            @Override
            public void accept(PgMessage message) {
                if (begun) {
                    next.accept(message);
                } else if (message.type() == BackendMessageType.READY_FOR_QUERY) {
                    begun = true;
                }
            }
        };
    }

    Buffer asIs() {
        return held;
    }
}
