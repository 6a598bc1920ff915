package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.dualwrite.copy.CopyChunk;
import io.exodus.proxy.dualwrite.copy.CopyMessages;
import io.exodus.proxy.dualwrite.copy.CopyRowReader;
import io.exodus.proxy.dualwrite.copy.DrawnDefaults;
import io.exodus.proxy.sql.CopyFromStatement;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code COPY … FROM STDIN} that leaves out columns whose defaults each database would compute differently
 * (ADR 0008): the client's rows are read as they come and cut into chunks; for each chunk the primary draws the
 * values of those columns ({@link DrawnDefaults}, in the client's transaction), Exodus appends them to the chunk's
 * rows, and the primary, then the secondary, run the same COPY of the chunk with every column listed. The client
 * sees one COPY: one CopyInResponse, the sum of the chunks' counts, an error naming the line of its own data.
 */
final class ChunkedCopy implements CopyIn {
    private final Legs legs;
    private final CopyFromStatement statement;
    private final DrawnDefaults drawn;
    private final boolean wrapped;
    private final boolean toSecondary;
    private final int replayLimit;
    private final CopyFeed feed;
    private final CopyRowReader reader;
    private final String chunkSql;
    private final HeldReply held = new HeldReply(0);
    private final Promise<Void> dataEnded = Promise.promise();
    private final ArrayDeque<Future<LegReply>> secondaryBehind = new ArrayDeque<>();
    private final List<Future<LegReply>> secondaryReplies = new ArrayList<>();
    private CopyChunk chunk;
    private Future<Void> chain = Future.succeededFuture();
    private int chunksWaiting;
    private boolean anyChunk;
    private boolean receiving;
    /** Why the COPY fails before any database said so: the client's CopyFail, or data that is no COPY data. */
    private ErrorResponse failedHere;
    private String clientFailMessage;
    private LegReply primaryFailure;
    private Buffer primaryError;
    private LegReply secondaryFailure;
    private boolean secondaryBegun;
    private long total;
    private Buffer replay;
    private int replayReady;
    private final List<String> replayTags = new ArrayList<>();

    ChunkedCopy(Legs legs, CopyFromStatement statement, DrawnDefaults drawn, boolean wrapped,
            boolean toSecondary, int replayLimit, CopyFeed feed) {
        this.legs = legs;
        this.feed = feed;
        this.statement = statement;
        this.drawn = drawn;
        this.wrapped = wrapped;
        this.toSecondary = toSecondary;
        this.replayLimit = replayLimit;
        this.reader = CopyRowReader.of(statement, statement.header());
        this.chunkSql = statement.fromStdinWith(drawn.columns());
        this.chunk = new CopyChunk(statement, statement.header() ? 2 : 1);
        if (replayLimit > 0) {
            replay = Buffer.buffer();
            if (wrapped) {
                FrontendMessages.appendQuery(replay, "BEGIN");
                replayReady = 1;
                replayTags.add("BEGIN");
            }
        }
    }

    Future<Outcome> run() {
        boolean binary = statement.format() == CopyFromStatement.Format.BINARY;
        receiving = true;
        feed.start(this, CopyMessages.copyInResponse(binary, statement.columns().size()));
        return dataEnded.future().compose(v -> chain).compose(v -> Future.join(secondaryReplies))
                .compose(v -> finish(), failure -> finish());
    }

    @Override
    public void fromClient(PgMessage message) {
        switch (message.type()) {
            case FrontendMessageType.COPY_DATA -> {
                reader.feed(message.body());
                takeRows();
            }
            case FrontendMessageType.COPY_DONE -> {
                reader.finish();
                takeRows();
                if (failedHere == null && statement.format() == CopyFromStatement.Format.BINARY
                        && reader.binaryHeader() == null) {
                    failedHere = ErrorResponse.error(SqlState.BAD_COPY_FILE_FORMAT, "COPY file signature not recognized");
                }
                if (chunk.size() > 0 || !anyChunk) {
                    queueChunk();
                }
                end();
            }
            case FrontendMessageType.COPY_FAIL -> {
                clientFailMessage = CopyMessages.failMessage(message);
                end();
            }
            case FrontendMessageType.FLUSH, FrontendMessageType.SYNC -> {
            }
            default -> {
                failedHere = ErrorResponse.error(SqlState.PROTOCOL_VIOLATION, String.format(
                        "unexpected message type 0x%02X during COPY from stdin", message.type()));
                end();
            }
        }
    }

    private void takeRows() {
        if (failedHere != null) {
            return;
        }
        try {
            CopyRowReader.Row row;
            while ((row = reader.next()) != null) {
                chunk.add(row);
                if (chunk.full()) {
                    queueChunk();
                }
            }
        } catch (CopyRowReader.Malformed malformed) {
            failedHere = ErrorResponse.error(SqlState.BAD_COPY_FILE_FORMAT, malformed.getMessage());
            end();
        }
    }

    private void queueChunk() {
        CopyChunk full = chunk;
        chunk = new CopyChunk(statement, full.firstLine() + full.size());
        anyChunk = true;
        chunksWaiting++;
        if (chunksWaiting > 2) {
            // The databases are slower than the client: it waits, rather than Exodus holding its data.
            feed.hold();
        }
        chain = chain.compose(v -> run(full)).onComplete(v -> {
            chunksWaiting--;
            if (chunksWaiting <= 1) {
                feed.release();
            }
        });
    }

    @Override
    public void clientChunkTaken() {
    }

    @Override
    public void clientGone() {
        if (receiving) {
            clientFailMessage = "the client's connection was lost during COPY";
            end();
        }
    }

    private void end() {
        if (receiving) {
            receiving = false;
            feed.ended(this);
            dataEnded.tryComplete();
        }
    }

    /** One chunk: values drawn on the primary, the chunk's COPY on the primary, then on the secondary. */
    private Future<Void> run(CopyChunk rows) {
        if (stopped()) {
            return Future.succeededFuture();
        }
        Future<?> room = secondaryBehind.size() >= 2 ? secondaryBehind.poll() : Future.succeededFuture();
        return room.compose(v -> draw(rows.size())).compose(values -> {
            if (values == null || stopped()) {
                return Future.succeededFuture();
            }
            Buffer header = reader.binaryHeader();
            Buffer request = FrontendMessages.query(chunkSql).appendBuffer(rows.withDrawn(header, values));
            Leg.Sink sink = message -> {
                if (message.type() == BackendMessageType.ERROR_RESPONSE) {
                    primaryError = CopyMessages.errorAtClientLine(message, rows.firstLine() - 1);
                } else if (message.type() == BackendMessageType.NOTICE_RESPONSE) {
                    held.accept(message);
                }
            };
            return legs.primary().send(request, 1, sink).map(p -> {
                if (p.failed()) {
                    primaryFailure = p;
                    return null;
                }
                for (String tag : p.commandTags()) {
                    total += CommandComplete.rowCount(tag);
                }
                toSecondary(request, p.commandTags());
                return null;
            });
        });
    }

    /** The drawn values for {@code count} rows, read as rows of the client's format; null when the draw failed. */
    private Future<List<CopyRowReader.Row>> draw(int count) {
        if (count == 0) {
            return Future.succeededFuture(List.of());
        }
        Buffer data = Buffer.buffer(count * 48);
        Leg.Sink sink = message -> {
            if (message.type() == BackendMessageType.COPY_DATA) {
                data.appendBuffer(message.body());
            } else if (message.type() == BackendMessageType.ERROR_RESPONSE) {
                primaryError = message.encode();
            }
        };
        String sql = statement.toStdoutOf(drawn.drawQuery(count));
        return legs.primary().send(FrontendMessages.query(sql), 1, sink).map(d -> {
            if (d.failed()) {
                primaryFailure = d;
                return null;
            }
            CopyRowReader values = CopyRowReader.of(statement, false);
            values.feed(data);
            values.finish();
            List<CopyRowReader.Row> rows = new ArrayList<>(count);
            CopyRowReader.Row row;
            while ((row = values.next()) != null) {
                rows.add(row);
            }
            return rows;
        });
    }

    private void toSecondary(Buffer request, List<String> tags) {
        if (replay != null) {
            replay = replay.length() + request.length() > replayLimit ? null : replay.appendBuffer(request);
            replayReady++;
            replayTags.addAll(tags);
        }
        Leg secondary = legs.secondary();
        if (!toSecondary || secondaryFailure != null || secondary == null) {
            return;
        }
        boolean begin = wrapped && !secondaryBegun;
        secondaryBegun = true;
        Buffer bytes = begin ? FrontendMessages.query("BEGIN").appendBuffer(request) : request;
        Future<LegReply> reply = secondary.send(bytes, begin ? 2 : 1, Leg.DISCARD).map(s -> {
            List<String> got = begin && !s.commandTags().isEmpty() ? s.commandTags().subList(1, s.commandTags().size())
                    : s.commandTags();
            if (secondaryFailure == null && (s.failed() || !got.equals(tags))) {
                secondaryFailure = s;
            }
            return s;
        });
        secondaryReplies.add(reply);
        secondaryBehind.add(reply);
    }

    private boolean stopped() {
        return primaryFailure != null || failedHere != null || clientFailMessage != null;
    }

    /** What the client hears, and the outcome for the policy. */
    private Future<Outcome> finish() {
        if (primaryFailure == null && (failedHere != null || clientFailMessage != null)) {
            // The COPY fails as PostgreSQL fails it, on both databases alike: a COPY ended by CopyFail.
            String why = clientFailMessage != null ? clientFailMessage : failedHere.message();
            Buffer fail = FrontendMessages.query(chunkSql).appendBuffer(CopyMessages.copyFail(why));
            failSecondaryToo(fail);
            return legs.primary().send(fail, 1, message -> {
                if (message.type() == BackendMessageType.ERROR_RESPONSE && failedHere == null) {
                    primaryError = message.encode();
                }
            }).map(p -> failed(p, failedHere != null ? failedHere.encode() : primaryError));
        }
        if (primaryFailure != null) {
            failSecondaryToo(FrontendMessages.query(chunkSql)
                    .appendBuffer(CopyMessages.copyFail("the source database refused the COPY")));
            return Future.succeededFuture(failed(primaryFailure, primaryError));
        }
        String tag = "COPY " + total;
        held.append(new PgMessage(BackendMessageType.COMMAND_COMPLETE,
                MessageWriter.appendCString(Buffer.buffer(), tag)));
        held.append(new PgMessage(BackendMessageType.READY_FOR_QUERY,
                Buffer.buffer(1).appendByte(legs.primary().transactionStatus().code())));
        LegReply primary = new LegReply(legs.primary().transactionStatus(), null, List.of(tag), false);
        LegReply secondary = !toSecondary ? null
                : secondaryFailure != null ? secondaryFailure
                : secondaryBegun ? new LegReply(TransactionStatus.IN_TRANSACTION, null, List.of(tag), false)
                : LegReply.lost("the connection to the target is gone");
        return Future.succeededFuture(new Outcome(primary, held, secondary, replay, replayReady, replayTags));
    }

    /** The secondary's part of the transaction fails as the primary's did, so that both are alike. */
    private void failSecondaryToo(Buffer failingCopy) {
        Leg secondary = legs.secondary();
        if (secondary != null && secondary.isOpen() && (secondaryBegun || toSecondary && !wrapped)) {
            secondary.send(failingCopy, 1, Leg.DISCARD);
        }
    }

    private Outcome failed(LegReply primary, Buffer error) {
        Buffer reply = error != null ? error : ErrorResponse.error(SqlState.INTERNAL_ERROR, "COPY failed").encode();
        TransactionStatus status = legs.primary().transactionStatus();
        held.append(new PgMessage(BackendMessageType.ERROR_RESPONSE, reply.slice(5, reply.length())));
        held.append(new PgMessage(BackendMessageType.READY_FOR_QUERY, Buffer.buffer(1).appendByte(status.code())));
        LegReply failure = primary.failed() ? primary
                : new LegReply(status, ErrorResponse.error(SqlState.INTERNAL_ERROR, "COPY failed"), List.of(), false);
        return new Outcome(failure, held, null, null, 0, List.of());
    }
}
