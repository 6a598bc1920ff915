package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * A {@code COPY … FROM STDIN} in progress, taking the client's COPY data: while one runs, the relay hands it every
 * message the client sends (CopyData, CopyDone, CopyFail, and anything else, which fails the COPY as PostgreSQL
 * fails it), then tells it when a read from the client's socket has been taken in, so that what it forwards goes
 * out in one write per read instead of one per row.
 */
interface CopyIn {
    void fromClient(PgMessage message);

    void clientChunkTaken();

    /** The client's connection closed in the middle of the COPY: it fails, and nothing of it commits. */
    void clientGone();

    /**
     * How the COPY went, for the policy to settle.
     *
     * @param primary     the primary's answer: failed, or the tags of the COPYs it ran
     * @param reply       what the client is to hear (CommandComplete or ErrorResponse, and ReadyForQuery)
     * @param secondary   the secondary's answer, or null when it was not sent the COPY
     * @param replay      what the secondary got (or would have got), for the catch-up queue; null when too large
     * @param replayReady how many ReadyForQuery messages answer {@code replay}
     * @param replayTags  the command tags the secondary must answer {@code replay} with
     */
    record Outcome(LegReply primary, HeldReply reply, LegReply secondary, Buffer replay, int replayReady,
            List<String> replayTags) {

        /** The primary failed before the COPY began (a query Exodus ran first), the secondary asked nothing. */
        static Outcome failedBefore(LegReply primary, HeldReply reply) {
            return new Outcome(primary, reply, null, null, 0, List.of());
        }
    }
}
