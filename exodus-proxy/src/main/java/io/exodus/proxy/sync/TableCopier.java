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

/**
 * Copies tables one after the other from a source session inside a transaction that imported the slot's snapshot
 * into a target session: COPY … TO STDOUT on one, COPY … FROM STDIN on the other, the CopyData messages passed
 * on as they come, at the pace of the slower side (the source is not read while the target's socket is full).
 */
final class TableCopier {
    private final Leg source;
    private final Leg target;
    private final SyncProgress progress;

    private TableCopier(Leg source, Leg target, SyncProgress progress) {
        this.source = source;
        this.target = target;
        this.progress = progress;
    }

    /**
     * Opens both sessions. The target's runs with {@code session_replication_role = replica}: where its schema was
     * kept, its triggers and foreign keys exist already, and neither must act on rows the source's already made.
     */
    static Future<TableCopier> open(RawConnections connections, String snapshot, SyncProgress progress) {
        return connections.source().compose(source -> LegQueries.run(source,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '" + snapshot + "'")
                .compose(v -> connections.target())
                .compose(target -> LegQueries.run(target, "SET session_replication_role = replica")
                        .map(v -> new TableCopier(source, target, progress))
                        .onFailure(failure -> target.close()))
                .onFailure(failure -> source.close()));
    }

    Future<Void> copy(SyncedTable table) {
        String columns = table.columns().isEmpty() ? "" : " (" + String.join(", ", table.columns()) + ")";
        String name = table.display();
        progress.tableStarted(name);
        long[] rows = {0};
        Future<LegReply> into = target.send(FrontendMessages.query("COPY " + table.qualified() + columns
                + " FROM STDIN"), 1, Leg.DISCARD);
        Future<LegReply> out = source.send(FrontendMessages.query("COPY " + table.qualified() + columns
                + " TO STDOUT"), 1, (PgMessage message) -> {
                    if (message.type() == BackendMessageType.COPY_DATA) {
                        target.stream(message.encode());
                        rows[0]++;
                        progress.rowsCopied(name, 1, message.body().length());
                        if (target.writeQueueFull()) {
                            source.pauseReading();
                            target.whenWritable(source::resumeReading);
                        }
                    } else if (message.type() == BackendMessageType.COPY_DONE) {
                        target.stream(MessageWriter.message(FrontendMessageType.COPY_DONE, Buffer.buffer()));
                    } else if (message.type() == BackendMessageType.ERROR_RESPONSE) {
                        target.stream(copyFail("the source's COPY failed"));
                    }
                });
        return Future.join(out, into).compose(both -> {
            LegReply read = out.result();
            LegReply written = into.result();
            if (read.failed()) {
                return Future.failedFuture(new IllegalStateException("reading " + name + " from the source failed: "
                        + read.error().message()));
            }
            if (written.failed()) {
                return Future.failedFuture(new IllegalStateException("writing " + name + " to the target failed: "
                        + written.error().message()));
            }
            String expected = "COPY " + rows[0];
            if (!written.commandTags().contains(expected)) {
                return Future.failedFuture(new IllegalStateException("the target took " + written.commandTags()
                        + " rows of " + name + " where the source sent " + rows[0]));
            }
            progress.tableCopied(name);
            return Future.succeededFuture();
        });
    }

    private static Buffer copyFail(String why) {
        return MessageWriter.message(FrontendMessageType.COPY_FAIL, MessageWriter.appendCString(Buffer.buffer(), why));
    }

    void close() {
        source.close();
        target.close();
    }
}
