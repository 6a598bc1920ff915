package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the file of a {@code COPY … FROM 'file'} on the primary, in the client's session, so that both databases can
 * be given its bytes as a {@code COPY … FROM STDIN} (the target's host has no such file). The session's own rights
 * decide, as they decide the COPY's: a role that may not COPY from a file gets the server's own refusal, since the
 * COPY then runs as written and fails ({@link Read#runAsWritten}); so does a file that is missing or a directory,
 * whose errors only the server words exactly. Nothing here can fail the client's transaction before the server
 * would: the rights are asked first, and the file is read only once it is known to be there and small enough.
 */
final class ServerFileRead {
    private static final String RIGHTS = "SELECT pg_catalog.pg_has_role('pg_read_server_files', 'USAGE'), "
            + "pg_catalog.has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') "
            + "AND pg_catalog.has_function_privilege('pg_catalog.pg_read_binary_file(text)', 'EXECUTE')";
    // A missing file makes pg_stat_file(…, true) one row of NULLs; the CASE reads nothing then, nor a directory, nor
    // a file past the limit.
    /** The file's size and modification time as one text: what {@link Read#version} holds. */
    private static final String VERSION = "s.size::text || ' ' || s.modification::text";
    private static final String STAT_AND_READ = "SELECT s.size, s.isdir, CASE WHEN NOT s.isdir AND s.size <= $2 "
            + "THEN pg_catalog.pg_read_binary_file($1) END, " + VERSION + " FROM pg_catalog.pg_stat_file($1, true) s";
    private static final String STAT = "SELECT " + VERSION + " FROM pg_catalog.pg_stat_file($1, true) s";
    private static final int TEXT_OID = 25;
    private static final int INT8_OID = 20;
    private static final short BINARY = 1;

    /**
     * What became of the read.
     *
     * @param bytes        the file's content, when it was read
     * @param runAsWritten the COPY is to run as written on the primary, which will refuse it with its own words
     * @param refusal      why Exodus refuses the COPY before anything ran, or null
     * @param failed       the primary's failure while reading (its ErrorResponse and ReadyForQuery held), or null
     * @param version      the file's size and modification time when it was read ({@link #version})
     */
    record Read(Buffer bytes, boolean runAsWritten, ErrorResponse refusal, CopyIn.Outcome failed, String version) {
        static Read of(Buffer bytes, String version) {
            return new Read(bytes, false, null, null, version);
        }

        static Read asWritten() {
            return new Read(null, true, null, null, null);
        }

        static Read refused(ErrorResponse why) {
            return new Read(null, false, why, null, null);
        }
    }

    private final Leg primary;
    private final String file;
    private final long maxBytes;

    /**
     * @param file     the file's name as the COPY gives it (absolute, or relative to the source's data directory)
     * @param maxBytes the largest file read; a larger one is refused, so that Exodus never holds more than this
     */
    ServerFileRead(Leg primary, String file, long maxBytes) {
        this.primary = primary;
        this.file = file;
        this.maxBytes = maxBytes;
    }

    Future<Read> run() {
        TextRows rights = new TextRows();
        return primary.send(FrontendMessages.query(RIGHTS), 1, rights).compose(reply -> {
            if (reply.failed() || rights.rows().size() != 1) {
                // A server without pg_read_server_files (before PostgreSQL 11): the COPY's own checks decide.
                return Future.succeededFuture(Read.asWritten());
            }
            List<String> row = rights.rows().get(0);
            if (!"t".equals(row.get(0))) {
                return Future.succeededFuture(Read.asWritten());
            }
            if (!"t".equals(row.get(1))) {
                return Future.succeededFuture(Read.refused(ErrorResponse.error(SqlState.INSUFFICIENT_PRIVILEGE,
                        "Exodus mirrors COPY … FROM a file on the source's host by reading the file in this session "
                                + "with pg_read_binary_file, which the current role may not run").withHint(
                        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text), "
                                + "pg_catalog.pg_stat_file(text, boolean) TO the role on the source, or send the file "
                                + "from the client with COPY … FROM STDIN (psql: \\copy … from 'file').")));
            }
            return statAndRead();
        });
    }

    private Future<Read> statAndRead() {
        Buffer request = FrontendMessages.parse("", STAT_AND_READ, new int[] {TEXT_OID, INT8_OID});
        FrontendMessages.appendBind(request, "", "", new short[] {0, BINARY},
                List.of(file.getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(8).putLong(maxBytes).array()),
                new short[] {BINARY});
        FrontendMessages.appendExecute(request, "", 0);
        FrontendMessages.appendSync(request);
        HeldReply held = new HeldReply(0);
        List<List<byte[]>> rows = new ArrayList<>(1);
        Leg.Sink others = held.errorAndReady();
        Leg.Sink sink = message -> {
            if (message.type() == BackendMessageType.DATA_ROW) {
                rows.add(DataRow.decode(message.body()));
            } else {
                others.accept(message);
            }
        };
        return primary.send(request, 1, sink).map(reply -> {
            if (reply.failed()) {
                return new Read(null, false, null, CopyIn.Outcome.failedBefore(reply, held), null);
            }
            List<byte[]> row = rows.isEmpty() ? null : rows.get(0);
            if (row == null || row.get(0) == null || row.get(1)[0] != 0) {
                return Read.asWritten();
            }
            long size = ByteBuffer.wrap(row.get(0)).getLong();
            if (row.get(2) == null) {
                return Read.refused(tooLarge(size));
            }
            return Read.of(Buffer.buffer(row.get(2)), new String(row.get(3), StandardCharsets.UTF_8));
        });
    }

    /**
     * The file's size and modification time now, as {@link Read#version} has them ({@code null} when it is gone): read
     * again after the primary's own run of the COPY, which must have read what the secondary is given.
     */
    Future<String> version() {
        Buffer request = FrontendMessages.parse("", STAT, new int[] {TEXT_OID});
        FrontendMessages.appendBind(request, "", "", new short[] {0},
                List.of(file.getBytes(StandardCharsets.UTF_8)), new short[] {0});
        FrontendMessages.appendExecute(request, "", 0);
        FrontendMessages.appendSync(request);
        TextRows rows = new TextRows();
        return primary.send(request, 1, rows).map(reply -> reply.failed() || rows.rows().isEmpty() ? null
                : rows.rows().get(0).get(0));
    }

    private ErrorResponse tooLarge(long size) {
        return ErrorResponse.error(SqlState.PROGRAM_LIMIT_EXCEEDED, "the file \"" + file + "\" (" + size
                + " bytes) is larger than Exodus reads on the source for a COPY … FROM a file in dual-write ("
                + maxBytes + " bytes)").withHint("Send the file from the client with COPY … FROM STDIN (psql: "
                + "\\copy … from 'file'), which Exodus streams at any size, or raise "
                + "exodus.migration.copy-from-file-max-bytes.");
    }
}
