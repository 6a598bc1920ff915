package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.dualwrite.copy.CopyMessages;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code COPY … FROM STDIN} whose rows both databases take as the client sends them: nothing the primary would
 * compute differently from the secondary is left out (every column is listed, or the ones left out have constant
 * defaults), so the very same statement and data go to both. The primary starts the COPY; once it asks for the
 * data (CopyInResponse, which the client gets), the secondary gets the statement, and every read of the client's data
 * (or every piece of a server file, {@link CopyFeed}) is written to the primary, then to the secondary, without keeping it: a slow database slows the client down
 * (neither socket's queue grows past its limit), as it would directly. The primary's answer is held for the policy.
 */
final class StreamedCopy implements CopyIn {
    private final SessionContext context;
    private final Legs legs;
    private final String sql;
    private final boolean wrapped;
    private final boolean toSecondary;
    private final int replayLimit;
    private final CopyFeed feed;
    /** The primary's answer since the last COPY began (its results before the next one reach the client then). */
    private HeldReply held = new HeldReply(0);
    private Buffer out = Buffer.buffer(8192);
    /** What the secondary gets, kept for the catch-up queue while it is small enough; null past that. */
    private Buffer replay;
    private Future<LegReply> secondaryReply;
    private boolean started;
    private boolean receiving;

    /**
     * @param wrapped     Exodus wrapped the COPY in a transaction of its own: the secondary gets BEGIN in front
     * @param toSecondary the secondary takes part live (otherwise it is only recorded, or not mirrored)
     * @param replayLimit the largest replay copy kept for the queue, or 0 when nothing is recorded
     * @param feed        where the data comes from
     */
    StreamedCopy(SessionContext context, String sql, boolean wrapped, boolean toSecondary, int replayLimit,
            CopyFeed feed) {
        this.context = context;
        this.legs = context.legs();
        this.sql = sql;
        this.wrapped = wrapped;
        this.toSecondary = toSecondary;
        this.replayLimit = replayLimit;
        this.feed = feed;
    }

    Future<Outcome> run() {
        Leg.Sink sink = message -> {
            if (message.type() == BackendMessageType.COPY_IN_RESPONSE) {
                started(message.encode());
            } else {
                held.accept(message);
            }
        };
        return legs.primary().send(FrontendMessages.query(sql), 1, sink).compose(p -> {
            if (receiving) {
                // The primary failed in the middle of the data: the client's rest is ignored, as PostgreSQL ignores
                // it, and the secondary's COPY must not succeed on its own.
                stopReceiving();
                streamToSecondary(CopyMessages.copyFail("the source database refused the COPY"));
            }
            Future<LegReply> s = secondaryReply == null ? Future.succeededFuture() : secondaryReply;
            return s.map(secondary -> {
                List<String> tags = new ArrayList<>(p.commandTags().size() + 1);
                if (wrapped) {
                    tags.add("BEGIN");
                }
                tags.addAll(p.commandTags());
                return new Outcome(p, held, secondary, replay, wrapped ? 2 : 1, tags);
            });
        });
    }

    /**
     * The primary asks for data. A query of several statements asks once per COPY: what the primary answered before
     * (a SELECT's rows, the last COPY's tag) reaches the client first, and the secondary, which got the whole text
     * with the first COPY, takes each COPY's data from the same stream in turn.
     */
    private void started(Buffer copyInResponse) {
        Buffer before = held.asIs();
        if (before.length() > 0) {
            context.client().add(before);
            held = new HeldReply(0);
        }
        receiving = true;
        if (started) {
            feed.start(this, copyInResponse);
            return;
        }
        started = true;
        if (toSecondary) {
            Leg secondary = legs.secondary();
            if (secondary != null) {
                Buffer request = wrapped ? FrontendMessages.query("BEGIN") : Buffer.buffer();
                FrontendMessages.appendQuery(request, sql);
                secondaryReply = secondary.send(request, wrapped ? 2 : 1, Leg.DISCARD);
            }
        }
        if (replayLimit > 0) {
            replay = wrapped ? FrontendMessages.query("BEGIN") : Buffer.buffer();
            FrontendMessages.appendQuery(replay, sql);
        }
        feed.start(this, copyInResponse);
    }

    @Override
    public void fromClient(PgMessage message) {
        switch (message.type()) {
            case FrontendMessageType.COPY_DATA -> add(message);
            case FrontendMessageType.COPY_DONE, FrontendMessageType.COPY_FAIL -> {
                add(message);
                end();
            }
            // The server ignores these during COPY: the extended protocol's way of ending a request.
            case FrontendMessageType.FLUSH, FrontendMessageType.SYNC -> {
            }
            default -> {
                add(CopyMessages.copyFail(String.format("unexpected message type 0x%02X during COPY from stdin",
                        message.type())));
                end();
            }
        }
    }

    private void add(PgMessage message) {
        add(message.encode());
    }

    private void add(Buffer framed) {
        out.appendBuffer(framed);
        if (replay != null) {
            replay = replay.length() + framed.length() > replayLimit ? null : replay.appendBuffer(framed);
        }
    }

    private void end() {
        clientChunkTaken();
        stopReceiving();
    }

    @Override
    public void clientChunkTaken() {
        if (out.length() == 0 || !receiving) {
            return;
        }
        Buffer bytes = out;
        out = Buffer.buffer(8192);
        Leg primary = legs.primary();
        primary.stream(bytes);
        streamToSecondary(bytes);
        Leg secondary = secondaryLive() ? legs.secondary() : null;
        if (primary.writeQueueFull() || secondary != null && secondary.writeQueueFull()) {
            feed.hold();
            primary.whenWritable(() -> {
                if (secondary == null) {
                    feed.release();
                } else {
                    secondary.whenWritable(feed::release);
                }
            });
        }
    }

    private void streamToSecondary(Buffer bytes) {
        if (secondaryLive()) {
            legs.secondary().stream(bytes);
        }
    }

    /** Whether the secondary is in the COPY still (it may have failed it already, and then takes no more data). */
    private boolean secondaryLive() {
        return secondaryReply != null && !secondaryReply.isComplete() && legs.secondary() != null;
    }

    @Override
    public void clientGone() {
        if (receiving) {
            add(CopyMessages.copyFail("the client's connection was lost during COPY"));
            end();
        }
    }

    private void stopReceiving() {
        if (receiving) {
            receiving = false;
            feed.ended(this);
        }
    }
}
