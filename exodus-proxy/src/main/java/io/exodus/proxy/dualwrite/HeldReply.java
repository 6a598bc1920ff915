package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.buffer.Buffer;

/**
 * Keeps a primary's answer back until the secondary has applied the same request, so that the client sees it only
 * once the policy has decided. Answers to statements Exodus added in front (the {@code BEGIN} of an autocommit
 * write) are dropped, up to their ReadyForQuery.
 */
final class HeldReply implements Leg.Sink {
    private Buffer held = Buffer.buffer(256);
    /** Notices of the COMMIT Exodus added, which the client gets before the statement's completion, as directly. */
    private Buffer commitNotices;
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

    /**
     * For a query Exodus runs first on the primary (whose rows go elsewhere): keeps only what the client is told
     * should it fail, its ErrorResponse and ReadyForQuery.
     */
    Leg.Sink errorAndReady() {
        return message -> {
            if (message.type() == BackendMessageType.ERROR_RESPONSE
                    || message.type() == BackendMessageType.READY_FOR_QUERY) {
                accept(message);
            }
        };
    }

    void append(PgMessage message) {
        held.appendByte(message.type()).appendInt(message.body().length() + 4).appendBuffer(message.body());
    }

    /**
     * The answer with its last ReadyForQuery saying {@code status}: an autocommit write that Exodus wrapped in a
     * transaction is idle again once committed, whatever the wrapped ReadyForQuery said.
     */
    Buffer withFinalStatus(TransactionStatus status) {
        return ReplySynthesizer.setFinalStatus(withCommitNotices(), status);
    }

    /**
     * The answer to the COMMIT Exodus added to an autocommit write: its notices (a deferred trigger's RAISE NOTICE)
     * are kept, to go before the write's last CommandComplete, where PostgreSQL sends them (it commits an implicit
     * transaction before it completes the statement); the rest goes to {@code others}.
     */
    Leg.Sink collectingCommitNotices(Leg.Sink others) {
        return message -> {
            if (message.type() == BackendMessageType.NOTICE_RESPONSE) {
                if (commitNotices == null) {
                    commitNotices = Buffer.buffer(256);
                }
                commitNotices.appendBuffer(message.encode());
            } else {
                others.accept(message);
            }
        };
    }

    private Buffer withCommitNotices() {
        if (commitNotices == null) {
            return held;
        }
        int lastCompletion = ReplySynthesizer.lastOffsetOf(held, 0, BackendMessageType.COMMAND_COMPLETE);
        int insertAt = lastCompletion >= 0 ? lastCompletion : held.length();
        held = held.getBuffer(0, insertAt).appendBuffer(commitNotices).appendBuffer(held.getBuffer(insertAt,
                held.length()));
        commitNotices = null;
        return held;
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
