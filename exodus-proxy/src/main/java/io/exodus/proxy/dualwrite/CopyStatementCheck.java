package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.dualwrite.copy.CopyMessages;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * What the primary says of a {@code COPY … FROM STDIN} before it asks for data, for a COPY that Exodus answers with
 * its own CopyInResponse ({@link ChunkedCopy}): a column that does not exist or is named twice, a generated column,
 * a privilege, row-level security. PostgreSQL refuses these before the client sends any data, and psql then reads the
 * lines that follow as statements; answered after the data instead, psql would send those statements as COPY data.
 * The COPY as the client wrote it starts on the primary inside a savepoint and is failed at once (CopyFail, which
 * the server drops if it refused the COPY already), and the savepoint is rolled back and released: nothing of it
 * remains, and the transaction is back in the subtransaction it was in (a {@code COPY … FREEZE} after a TRUNCATE
 * still finds the table truncated in it). One write, one round trip; a BEFORE STATEMENT trigger runs and is rolled
 * back.
 */
final class CopyStatementCheck {
    private static final String SAVEPOINT = "exodus_copy_check";

    private CopyStatementCheck() {
    }

    /**
     * The primary's refusal of {@code copySql} (a framed ErrorResponse) when it refused the COPY before asking for
     * data, or null when it would have taken data. Runs inside a transaction block.
     */
    static Future<Buffer> refusalOf(Leg primary, String copySql) {
        Buffer request = FrontendMessages.query("SAVEPOINT " + SAVEPOINT);
        FrontendMessages.appendQuery(request, copySql);
        request.appendBuffer(CopyMessages.copyFail("Exodus checked the COPY statement"));
        FrontendMessages.appendQuery(request, "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT);
        boolean[] askedForData = new boolean[1];
        Buffer[] refusal = new Buffer[1];
        Leg.Sink sink = (PgMessage message) -> {
            if (message.type() == BackendMessageType.COPY_IN_RESPONSE) {
                askedForData[0] = true;
            } else if (message.type() == BackendMessageType.ERROR_RESPONSE && !askedForData[0]
                    && refusal[0] == null) {
                refusal[0] = message.encode();
            }
        };
        return primary.send(request, 3, sink).map(reply -> askedForData[0] ? null : refusal[0]);
    }
}
