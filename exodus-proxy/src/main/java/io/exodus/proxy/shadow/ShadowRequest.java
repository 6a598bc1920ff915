package io.exodus.proxy.shadow;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;

/**
 * The secondary's copy of a read, wrapped so that it can neither change nor break anything there: in a transaction
 * block of its own (read only) outside a transaction, or in a savepoint rolled back at once inside one, which keeps an
 * error of the read from aborting the transaction the client's later writes go to. A statement timeout bounds how
 * long it holds the connection that the session's later requests wait behind. Its answer is digested, never kept and
 * never forwarded.
 */
public final class ShadowRequest implements Leg.Sink {
    /** The savepoint a shadow read inside a transaction runs under; a client's savepoints of another name are untouched. */
    static final String SAVEPOINT = "exodus_shadow";

    private final Buffer bytes;
    private final int readyForQueries;
    private final int readEnds;
    private final ResultDigest digest = new ResultDigest();
    private int seen;

    /**
     * @param read            the read as the secondary runs it, ending with its Sync (or a simple Query)
     * @param readyForQueries how many ReadyForQuery the read is answered with
     * @param inTransaction   whether the session's transaction is open on the secondary (its writes must be seen)
     */
    public ShadowRequest(Buffer read, int readyForQueries, boolean inTransaction, Duration timeout) {
        long millis = Math.max(1, timeout.toMillis());
        String head = inTransaction
                ? "SAVEPOINT " + SAVEPOINT + "; SET LOCAL transaction_read_only = on; SET LOCAL statement_timeout = "
                        + millis
                : "BEGIN READ ONLY; SET LOCAL statement_timeout = " + millis;
        String tail = inTransaction ? "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT
                : "ROLLBACK";
        Buffer out = Buffer.buffer(read.length() + 160);
        FrontendMessages.appendQuery(out, head);
        out.appendBuffer(read);
        FrontendMessages.appendQuery(out, tail);
        this.bytes = out;
        this.readEnds = 1 + readyForQueries;
        this.readyForQueries = readyForQueries + 2;
    }

    /** The bytes to write to the secondary. */
    public Buffer bytes() {
        return bytes;
    }

    /** The ReadyForQuery messages that end the whole request. */
    public int readyForQueries() {
        return readyForQueries;
    }

    public ResultDigest digest() {
        return digest;
    }

    @Override
    public void accept(PgMessage message) {
        if (message.type() == BackendMessageType.READY_FOR_QUERY) {
            seen++;
            return;
        }
        if (seen == 0) {
            // The wrapper's own statements: only a failure tells something (the read cannot have run as asked).
            if (message.type() == BackendMessageType.ERROR_RESPONSE) {
                digest.error(ErrorResponse.decode(message.body()).sqlState());
            }
        } else if (seen < readEnds) {
            PrimaryDigestSink.digestOne(digest, message);
        }
    }
}
