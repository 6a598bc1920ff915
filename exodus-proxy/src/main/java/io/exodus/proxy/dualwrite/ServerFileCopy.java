package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A {@code COPY … FROM 'file'} that fills every column from the file: the primary runs it as written and reads the
 * file itself, so that what the server reports of it ({@code pg_stat_progress_copy}: type {@code FILE}, the bytes in
 * all) is what it reports directly; the secondary, whose host has no such file, gets the same COPY from STDIN with the
 * bytes Exodus read on the primary just before (ADR 0021). Both must have read the same bytes: the file's size and
 * modification time are read again after the primary's run, and a file that changed in between fails the COPY.
 */
final class ServerFileCopy {
    private static final int PIECE = 64 * 1024;


    private final Legs legs;
    private final String asWritten;
    private final String fromStdin;
    private final ServerFileRead file;
    private final ServerFileRead.Read read;
    private final boolean wrapped;
    private final boolean toSecondary;
    private final int replayLimit;
    private final Function<ErrorResponse, CopyIn.Outcome> refusal;

    /**
     * @param read    the file as read on the primary, before the COPY
     * @param refusal makes the outcome of a COPY failed by Exodus after the primary ran it
     */
    ServerFileCopy(Legs legs, String asWritten, String fromStdin, ServerFileRead file,
            ServerFileRead.Read read, boolean wrapped, boolean toSecondary, int replayLimit,
            Function<ErrorResponse, CopyIn.Outcome> refusal) {
        this.legs = legs;
        this.asWritten = asWritten;
        this.fromStdin = fromStdin;
        this.file = file;
        this.read = read;
        this.wrapped = wrapped;
        this.toSecondary = toSecondary;
        this.replayLimit = replayLimit;
        this.refusal = refusal;
    }

    Future<CopyIn.Outcome> run() {
        HeldReply held = new HeldReply(0);
        return legs.primary().send(FrontendMessages.query(asWritten), 1, held).compose(p -> {
            if (p.failed() || p.lostConnection()) {
                return Future.succeededFuture(new CopyIn.Outcome(p, held, null, null, 0, List.of()));
            }
            return file.version().compose(now -> {
                if (read.version() == null || !read.version().equals(now)) {
                    return Future.succeededFuture(refusal.apply(ErrorResponse.error(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                            "the file of this COPY changed while Exodus copied it (" + read.version() + ", then "
                                    + now + "): the target would get other rows than the source").withHint(
                            "Copy from a file that is not being written, or send it from the client with "
                                    + "COPY … FROM STDIN (psql: \\copy … from 'file').")));
                }
                return toSecondary(p, held);
            });
        });
    }

    private Future<CopyIn.Outcome> toSecondary(LegReply p, HeldReply held) {
        Buffer request = wrapped ? FrontendMessages.query("BEGIN") : Buffer.buffer();
        FrontendMessages.appendQuery(request, fromStdin);
        Buffer bytes = read.bytes();
        for (int at = 0; at < bytes.length(); at += PIECE) {
            Buffer piece = bytes.slice(at, Math.min(bytes.length(), at + PIECE));
            request.appendByte(FrontendMessageType.COPY_DATA).appendInt(piece.length() + 4).appendBuffer(piece);
        }
        request.appendByte(FrontendMessageType.COPY_DONE).appendInt(4);
        List<String> tags = new ArrayList<>(p.commandTags().size() + 1);
        if (wrapped) {
            tags.add("BEGIN");
        }
        tags.addAll(p.commandTags());
        int ready = wrapped ? 2 : 1;
        Buffer replay = replayLimit > 0 && request.length() <= replayLimit ? request : null;
        Leg secondary = toSecondary ? legs.secondary() : null;
        if (secondary == null) {
            return Future.succeededFuture(new CopyIn.Outcome(p, held, null, replay, ready, tags));
        }
        return secondary.send(request, ready, Leg.DISCARD)
                .map(s -> new CopyIn.Outcome(p, held, s, replay, ready, tags));
    }
}
