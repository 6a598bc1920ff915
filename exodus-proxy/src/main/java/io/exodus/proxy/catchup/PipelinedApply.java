package io.exodus.proxy.catchup;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Several queued transactions of one database, in id order, written to the secondary at once: the server answers them
 * one after the other, and the replay waits for one round trip per pipeline instead of one per transaction.
 *
 * <p>Each entry runs as {@link DatabaseCatchUp} always ran one: {@code BEGIN}, its session context, its statements,
 * its apply marker and {@code COMMIT}, then {@code ROLLBACK} (a no-op after a COMMIT, the end of a failed one) and
 * {@code DISCARD ALL}. Each entry after the first ends, before its marker and COMMIT, with a guard that raises unless
 * its predecessor's marker is in {@code exodus.replay_applied}. A server runs one connection's messages in order, so
 * the guard reads the predecessor's outcome: committed, its marker is visible; failed, it is not, the guard aborts the
 * follower's transaction before its COMMIT, and so on down the pipeline. An entry therefore commits only after every
 * entry ahead of it in the pipeline committed, and the ones behind a failure are sent again, in order, once it has
 * been retried or parked (docs/adr/0048). The guard comes last, not first: it runs a query, and an entry's own
 * {@code SET TRANSACTION ISOLATION LEVEL} is refused after the transaction's first query.
 */
final class PipelinedApply {
    /** Queries around an entry's own statements: its BEGIN and context, its marker and COMMIT, ROLLBACK, DISCARD ALL. */
    private static final int FRAME_QUERIES = 4;

    /** What became of one entry of the pipeline. */
    enum Result {
        COMMITTED,
        /** Refused: by its context, its statements or its COMMIT; {@link Answer#error} says why. */
        FAILED,
        /** Not applied because an entry ahead of it in the pipeline was not: its guard stopped it. */
        BEHIND_A_FAILURE
    }

    /**
     * @param error           the entry's first ErrorResponse, or null (a COMMIT that did not happen without one)
     * @param byItsStatements the entry's own statements failed, not its context (a role or setting the target lacks,
     *                        which an operator can add) nor its COMMIT
     * @param streamTags      the command tags its own statements answered
     */
    record Answer(QueuedTransaction entry, Result result, ErrorResponse error, boolean byItsStatements,
            List<String> streamTags) {
    }

    private final List<QueuedTransaction> entries;
    private final List<EntryReply> replies = new ArrayList<>();
    /** The pipeline's closing flush: answered, and its error if it failed. */
    private boolean flushAnswered;
    private ErrorResponse flushError;
    private int current;
    private long currentSinceNanos = System.nanoTime();

    /** @param entries consecutive entries of the queue, oldest first, none already applied */
    PipelinedApply(List<QueuedTransaction> entries) {
        this.entries = entries;
        entries.forEach(entry -> replies.add(new EntryReply()));
    }

    /**
     * The whole pipeline as one buffer. The marker is written as the applier, whatever role the context or the entry
     * set. The session's context runs inside the entry's transaction, so that a context the target refuses (a role it
     * lacks) aborts the whole entry: sent as a query of its own, a failed context left the entry to run and commit
     * under the applier's settings, where an unqualified name could mean another table. The entry's own BEGIN then
     * only warns, and its isolation level is the applier's; an entry that runs SET TRANSACTION after a PREPARE of its
     * context is refused by PostgreSQL and parked, loudly.
     *
     * @param applier the user the replayer logs in as: entries of other roles run under SET SESSION AUTHORIZATION
     */
    Buffer request(String applier) {
        int size = 0;
        for (QueuedTransaction entry : entries) {
            size += entry.stream().length + 512;
        }
        Buffer request = Buffer.buffer(size);
        for (int i = 0; i < entries.size(); i++) {
            QueuedTransaction entry = entries.get(i);
            boolean otherRole = !entry.role().equals(applier);
            StringBuilder before = new StringBuilder("BEGIN");
            if (otherRole) {
                before.append(";\nSET SESSION AUTHORIZATION ").append(Identifiers.quote(entry.role()));
            }
            if (!entry.context().isEmpty()) {
                before.append(";\n").append(entry.context());
            }
            FrontendMessages.appendQuery(request, before.toString());
            request.appendBytes(entry.stream());
            FrontendMessages.appendQuery(request, (otherRole ? "RESET SESSION AUTHORIZATION;\n" : "")
                    + "RESET ROLE;\n" + (i > 0 ? CatchUpQueueSql.appliedBefore(entries.get(i - 1).id()) + ";\n" : "")
                    + "INSERT INTO exodus.replay_applied (queue_id) VALUES (" + entry.id() + ");\n"
                    + CatchUpQueueSql.COMMIT_WITHOUT_FLUSH);
            FrontendMessages.appendQuery(request, "ROLLBACK");
            FrontendMessages.appendQuery(request, "DISCARD ALL");
        }
        FrontendMessages.appendQuery(request, CatchUpQueueSql.FLUSH_APPLIES);
        return request;
    }

    /** How many ReadyForQuery end the pipeline's answer: each entry's, then the flush's. */
    int readyCount() {
        int ready = 1;
        for (QueuedTransaction entry : entries) {
            ready += FRAME_QUERIES + entry.readyCount();
        }
        return ready;
    }

    /** The id of the entry the server is on now: the first whose answer has not ended. */
    long running() {
        return entries.get(Math.min(current, entries.size() - 1)).id();
    }

    /** Since when the server is on {@link #running()}: since the previous entry's answer ended. */
    long runningSinceNanos() {
        return currentSinceNanos;
    }

    /** Takes the answers in order, telling each entry's apart by counting ReadyForQuery. */
    Leg.Sink sink() {
        return (PgMessage message) -> {
            if (current >= entries.size()) {
                if (message.type() == BackendMessageType.ERROR_RESPONSE && flushError == null) {
                    flushError = ErrorResponse.decode(message.body());
                } else if (message.type() == BackendMessageType.READY_FOR_QUERY) {
                    flushAnswered = true;
                }
                return;
            }
            QueuedTransaction entry = entries.get(current);
            EntryReply reply = replies.get(current);
            if (message.type() == BackendMessageType.ERROR_RESPONSE && reply.error == null) {
                reply.error = ErrorResponse.decode(message.body());
                reply.failedPart = reply.part;
            } else if (message.type() == BackendMessageType.COMMAND_COMPLETE) {
                String tag = CommandComplete.tag(message.body());
                if (reply.part >= 1 && reply.part <= entry.readyCount()) {
                    reply.streamTags.add(tag);
                } else if (reply.part == entry.readyCount() + 1) {
                    reply.endTags.add(tag);
                }
            } else if (message.type() == BackendMessageType.READY_FOR_QUERY) {
                reply.part++;
                if (reply.part == FRAME_QUERIES + entry.readyCount()) {
                    current++;
                    currentSinceNanos = System.nanoTime();
                }
            }
        };
    }

    /**
     * Whether what the pipeline committed is durable on the secondary as its settings make a COMMIT durable: only then
     * may the entries leave the queue. Null when it is; otherwise why not.
     */
    String notDurable() {
        if (!flushAnswered) {
            return "the connection ended before the applied transactions were flushed";
        }
        return flushError == null ? null : "the applied transactions were not flushed: " + flushError.sqlState() + " "
                + flushError.message();
    }

    /** Each entry's outcome, in order, once the leg answered the whole pipeline. */
    List<Answer> answers() {
        List<Answer> answers = new ArrayList<>(entries.size());
        boolean allAheadCommitted = true;
        for (int i = 0; i < entries.size(); i++) {
            QueuedTransaction entry = entries.get(i);
            EntryReply reply = replies.get(i);
            Result result;
            if (reply.error == null && reply.endTags.contains("COMMIT")) {
                result = Result.COMMITTED;
            } else {
                result = allAheadCommitted ? Result.FAILED : Result.BEHIND_A_FAILURE;
            }
            allAheadCommitted &= result == Result.COMMITTED;
            boolean byItsStatements = reply.failedPart >= 1 && reply.failedPart <= entry.readyCount();
            answers.add(new Answer(entry, result, reply.error, byItsStatements, reply.streamTags));
        }
        return answers;
    }

    /** One entry's part of the answer. */
    private static final class EntryReply {
        /** ReadyForQuery seen so far: 0 is its BEGIN and context, then its statements, then its end. */
        int part;
        int failedPart = -1;
        ErrorResponse error;
        final List<String> streamTags = new ArrayList<>();
        final List<String> endTags = new ArrayList<>();
    }
}
