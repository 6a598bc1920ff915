package io.exodus.proxy.sync;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Copies tables one after the other from a source session inside a transaction that imported the slot's snapshot
 * (or, resuming after a crash, took a snapshot of its own) into a target session: COPY … TO STDOUT on one, COPY …
 * FROM STDIN on the other, the CopyData passed on as it came, in writes of about {@link #BATCH_BYTES}, at the pace of
 * the slower side (the source is not read while the target's socket is full). Each table is emptied, loaded and recorded in the journal in one
 * target transaction: a table is either copied and recorded, or holds nothing of this copy. A table split into parts
 * (ADR 0047) is emptied once before its parts, each part loaded in a target transaction of its own by whichever
 * copier takes it, and the table recorded after its last part: until then the journal does not have it, and a
 * resumed sync empties it and copies it whole.
 */
final class TableCopier {
    private static final int BATCH_BYTES = 64 * 1024;

    private final Leg source;
    private final Leg target;
    private final SyncProgress progress;
    /** The copy's snapshot for the journal; null for the slot's own. */
    private final String snapshot;

    private TableCopier(Leg source, Leg target, SyncProgress progress, String snapshot) {
        this.source = source;
        this.target = target;
        this.progress = progress;
        this.snapshot = snapshot;
    }

    /**
     * Opens both sessions. The target's runs with {@code session_replication_role = replica}: where its schema was
     * kept, its triggers and foreign keys exist already, and neither must act on rows the source's already made.
     *
     * @param slotSnapshot the snapshot the slot exported, or null when it is gone (a resumed sync): then the source's
     *                     session takes a snapshot of its own, and the journal records it
     */
    static Future<TableCopier> open(RawConnections connections, String slotSnapshot, SyncProgress progress) {
        return connections.source().compose(source -> snapshot(source, slotSnapshot)
                .compose(taken -> connections.target()
                        .compose(target -> LegQueries.run(target, "SET session_replication_role = replica")
                                .map(v -> new TableCopier(source, target, progress, taken))
                                .onFailure(failure -> target.close())))
                .onFailure(failure -> source.close()));
    }

    private static Future<String> snapshot(Leg source, String slotSnapshot) {
        String begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
        if (slotSnapshot != null) {
            return LegQueries.run(source, begin + "; SET TRANSACTION SNAPSHOT '" + slotSnapshot + "'")
                    .map(v -> (String) null);
        }
        // The first statement of a repeatable-read transaction fixes its snapshot: this one.
        return LegQueries.rows(source, begin + "; SELECT pg_catalog.pg_current_snapshot()::text")
                .map(rows -> rows.get(0).get(0));
    }

    Future<Void> copy(SyncedTable table) {
        String name = table.display();
        progress.tableStarted(name);
        return LegQueries.run(target, "BEGIN; DELETE FROM ONLY " + table.qualified())
                .recover(failure -> failedOnTarget("emptying " + name, failure))
                .compose(v -> stream(TablePart.whole(table)))
                .compose(v -> LegQueries.run(target, SyncJournal.copiedStatement(table, snapshot) + "; COMMIT")
                        .recover(failure -> failedOnTarget("committing the copy of " + name, failure)))
                .onSuccess(v -> progress.tableCopied(name));
    }

    /** A failure of a statement the copy runs on the target, told as the step of the copy it failed in. */
    private static Future<Void> failedOnTarget(String step, Throwable failure) {
        return Future.failedFuture(new IllegalStateException(step + " on the target failed: " + failure.getMessage(),
                failure));
    }

    /** Empties the tables about to be copied in parts, before any part is loaded, in one target transaction. */
    Future<Void> empty(List<SyncedTable> tables) {
        return LegQueries.run(target, tables.stream().map(table -> "DELETE FROM ONLY " + table.qualified())
                .collect(Collectors.joining("; "))).recover(failure -> failedOnTarget("emptying "
                        + tables.stream().map(SyncedTable::display).collect(Collectors.joining(", ")), failure));
    }

    /**
     * One part of a split table, loaded in a target transaction of its own (COPY alone commits it). The table's
     * first part starts its clock in the progress: parts are taken in order.
     */
    Future<Void> copyPart(TablePart part) {
        if (part.index() == 0) {
            progress.tableStarted(part.table().display());
        }
        return stream(part);
    }

    /** Records a split table copied, once its every part is loaded. */
    Future<Void> recordCopied(SyncedTable table) {
        return LegQueries.run(target, SyncJournal.copiedStatement(table, snapshot))
                .recover(failure -> failedOnTarget("recording " + table.display() + " copied", failure))
                .onSuccess(v -> progress.tableCopied(table.display()));
    }

    private Future<Void> stream(TablePart part) {
        SyncedTable table = part.table();
        String columns = table.columns().isEmpty() ? "" : " (" + String.join(", ", table.columns()) + ")";
        String name = part.display();
        String read = part.whole() ? "COPY " + table.qualified() + columns + " TO STDOUT"
                : "COPY (SELECT " + String.join(", ", table.columns()) + " FROM ONLY " + table.qualified()
                        + " WHERE " + part.ctidCondition() + ") TO STDOUT";
        Future<LegReply> into = target.send(FrontendMessages.query("COPY " + table.qualified() + columns
                + " FROM STDIN"), 1, Leg.DISCARD);
        CopyDataRelay relay = new CopyDataRelay(table.display());
        Future<LegReply> out = source.send(FrontendMessages.query(read), 1, relay);
        return Future.join(out, into).compose(both -> {
            LegReply readReply = out.result();
            LegReply written = into.result();
            if (readReply.failed()) {
                return Future.failedFuture(new IllegalStateException("reading " + name + " from the source failed: "
                        + readReply.error().message()));
            }
            if (written.failed()) {
                return Future.failedFuture(new IllegalStateException("writing " + name + " to the target failed: "
                        + written.error().message()));
            }
            String expected = "COPY " + relay.rows;
            if (!written.commandTags().contains(expected)) {
                return Future.failedFuture(new IllegalStateException("the target took " + written.commandTags()
                        + " rows of " + name + " where the source sent " + relay.rows));
            }
            return Future.succeededFuture();
        });
    }

    /**
     * The source's COPY answer passed to the target's COPY: CopyData (one message per row) is framed the same way in
     * both directions, so the rows go on as the bytes they came in, in runs and without a message object per row,
     * gathered into writes of about {@link #BATCH_BYTES} (a write per row would be a flush, a system call, per row
     * on the target's socket).
     */
    private final class CopyDataRelay implements Leg.Sink {
        private final String table;
        private Buffer pending = Buffer.buffer(BATCH_BYTES * 2);
        private long pendingRows;
        private long pendingBytes;
        /** Every row passed on. */
        long rows;

        CopyDataRelay(String table) {
            this.table = table;
        }

        @Override
        public boolean takesRuns() {
            return true;
        }

        @Override
        public byte runsOf() {
            return BackendMessageType.COPY_DATA;
        }

        @Override
        public void acceptRun(Buffer framedCopyData) {
            int at = 0;
            int count = 0;
            while (at < framedCopyData.length()) {
                at += 1 + framedCopyData.getInt(at + 1);
                count++;
            }
            pending.appendBuffer(framedCopyData);
            added(count, framedCopyData.length() - 5L * count);
        }

        @Override
        public void accept(PgMessage message) {
            if (message.type() == BackendMessageType.COPY_DATA) {
                MessageWriter.appendMessage(pending, message.type(), message.body());
                added(1, message.body().length());
            } else if (message.type() == BackendMessageType.COPY_DONE) {
                send();
                target.stream(MessageWriter.message(FrontendMessageType.COPY_DONE, Buffer.buffer()));
            } else if (message.type() == BackendMessageType.ERROR_RESPONSE) {
                target.stream(copyFail("the source's COPY failed"));
            }
        }

        private void added(long count, long bytes) {
            rows += count;
            pendingRows += count;
            pendingBytes += bytes;
            if (pending.length() >= BATCH_BYTES) {
                send();
                if (target.writeQueueFull()) {
                    source.pauseReading();
                    target.whenWritable(source::resumeReading);
                }
            }
        }

        private void send() {
            if (pendingRows == 0) {
                return;
            }
            target.stream(pending);
            progress.rowsCopied(table, pendingRows, pendingBytes);
            pending = Buffer.buffer(BATCH_BYTES * 2);
            pendingRows = 0;
            pendingBytes = 0;
        }
    }

    private static Buffer copyFail(String why) {
        return MessageWriter.message(FrontendMessageType.COPY_FAIL, MessageWriter.appendCString(Buffer.buffer(), why));
    }

    void close() {
        source.close();
        target.close();
    }
}
