package io.exodus.proxy.shadow;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

/**
 * The primary's answer on its way to the client, digested as it passes: every message is forwarded untouched and at
 * once (runs of DataRows too), so a shadow read costs the client one hash per row and no wait.
 */
public final class PrimaryDigestSink implements Leg.Sink {
    private final Leg.Sink client;
    private final ResultDigest digest = new ResultDigest();

    public PrimaryDigestSink(Leg.Sink client) {
        this.client = client;
    }

    public ResultDigest digest() {
        return digest;
    }

    @Override
    public void accept(PgMessage message) {
        digestOne(digest, message);
        client.accept(message);
    }

    @Override
    public boolean takesRuns() {
        return client.takesRuns();
    }

    @Override
    public void acceptRun(Buffer framedDataRows) {
        int at = 0;
        int end = framedDataRows.length();
        while (at + 5 <= end) {
            int length = framedDataRows.getInt(at + 1);
            digest.row(framedDataRows, at + 5, length - 4);
            at += 1 + length;
        }
        client.acceptRun(framedDataRows);
    }

    /** Adds what {@code message} tells about the answer to {@code digest}. */
    static void digestOne(ResultDigest digest, PgMessage message) {
        switch (message.type()) {
            case BackendMessageType.DATA_ROW -> digest.row(message.body(), 0, message.body().length());
            case BackendMessageType.COMMAND_COMPLETE, BackendMessageType.EMPTY_QUERY_RESPONSE -> digest.endResult();
            case BackendMessageType.PORTAL_SUSPENDED -> digest.endResult(true);
            case BackendMessageType.ERROR_RESPONSE -> digest.error(ErrorResponse.decode(message.body()).sqlState());
            default -> {
            }
        }
    }
}
