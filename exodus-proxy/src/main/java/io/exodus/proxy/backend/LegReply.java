package io.exodus.proxy.backend;

import io.exodus.proxy.wire.ErrorResponse;

import java.util.List;

/**
 * What one leg answered to one request, up to its last ReadyForQuery.
 *
 * @param transactionStatus the status of the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' failed one
 * @param error             the first ErrorResponse, or {@code null}
 * @param commandTags       the CommandComplete tags, in order
 * @param lostConnection    the leg's connection ended before it answered in full
 */
public record LegReply(byte transactionStatus, ErrorResponse error, List<String> commandTags, boolean lostConnection) {

    public static LegReply lost(String why) {
        return new LegReply((byte) 'I', ErrorResponse.error(io.exodus.proxy.wire.SqlState.CONNECTION_FAILURE, why),
                List.of(), true);
    }

    public boolean failed() {
        return error != null;
    }
}
