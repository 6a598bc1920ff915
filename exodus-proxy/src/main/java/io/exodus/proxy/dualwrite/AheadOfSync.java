package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.NamedObject;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of one extended-protocol batch that the client's Flushes sent to the primary before its Sync. Each part
 * went out as the primary runs the batch (Parses rewritten for row images, Describes answered as the client's own
 * statement would be, INSERTs' rows captured), so that the rest of the batch, and every later execution of its
 * statements, finds on the primary exactly what the statement book says. No ReadyForQuery ends such a part: it is
 * over after its final answers, at its first ErrorResponse (the server then skips to the Sync), or, when an earlier
 * part failed, at the Sync's ReadyForQuery.
 */
final class AheadOfSync {
    private record Part(Future<LegReply> reply, PrimaryRowImageFilter filter) {
    }

    /** What the parts sent ahead did on the primary, once all are answered. */
    record Outcome(List<String> commandTags, List<PrimaryRowImageFilter.Capture> captures, boolean overflowed,
            boolean failed) {
    }

    private final List<Part> parts = new ArrayList<>();
    private int sent;

    /** How many of the batch's messages went ahead. */
    int sent() {
        return sent;
    }

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /** Messages up to {@code sentUpTo} went ahead as one part, answered through {@code filter} (or not filtered). */
    void add(int sentUpTo, Future<LegReply> reply, PrimaryRowImageFilter filter) {
        sent = sentUpTo;
        parts.add(new Part(reply, filter));
    }

    /**
     * Completes once every part was answered: their command tags, captured rows, and whether one failed. After a
     * failed part the later ones are not waited for: the server skipped them, and only the Sync's ReadyForQuery, which
     * the rest of the batch has yet to ask for, ends them.
     */
    Future<Outcome> outcome() {
        return answeredBeforeAFailure(0).map(answered -> {
            List<String> tags = new ArrayList<>();
            List<PrimaryRowImageFilter.Capture> captures = new ArrayList<>();
            boolean overflowed = false;
            for (Part part : parts.subList(0, answered)) {
                tags.addAll(part.reply().result().commandTags());
                if (part.filter() != null) {
                    captures.addAll(part.filter().captures());
                    overflowed |= part.filter().overflowed();
                }
            }
            return new Outcome(tags, captures, overflowed, answered < parts.size());
        });
    }

    /** How many parts, from {@code index} on, were answered before the first that failed (all of them if none). */
    private Future<Integer> answeredBeforeAFailure(int index) {
        if (index == parts.size()) {
            return Future.succeededFuture(index);
        }
        return parts.get(index).reply().compose(reply -> reply.failed() ? Future.succeededFuture(index)
                : answeredBeforeAFailure(index + 1));
    }

    /**
     * Final answers the server owes for a request of framed frontend messages: ParseComplete, BindComplete,
     * CloseComplete, ParameterDescription and RowDescription or NoData for a Describe, CommandComplete, EmptyQuery or
     * PortalSuspended for an Execute.
     */
    static int answers(Buffer request) {
        int answers = 0;
        for (int at = 0; at + 5 <= request.length(); at += 1 + request.getInt(at + 1)) {
            answers += switch (request.getByte(at)) {
                case FrontendMessageType.PARSE, FrontendMessageType.BIND, FrontendMessageType.CLOSE,
                        FrontendMessageType.EXECUTE -> 1;
                // Of a statement: its ParameterDescription, then RowDescription or NoData; of a portal: the latter.
                case FrontendMessageType.DESCRIBE -> NamedObject.namesStatement(request, at + 5) ? 2 : 1;
                default -> 0;
            };
        }
        return answers;
    }
}
