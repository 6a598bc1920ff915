package io.exodus.proxy.backend;

import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;

import java.util.List;

/**
 * What one leg answered to one request, up to its last ReadyForQuery.
 *
 * @param transactionStatus the status of the last ReadyForQuery
 * @param error             the first ErrorResponse, or {@code null}
 * @param commandTags       the CommandComplete tags, in order
 * @param lostConnection    the leg's connection ended before it answered in full
 */
public record LegReply(TransactionStatus transactionStatus, ErrorResponse error, List<String> commandTags, boolean lostConnection) {

    public static LegReply lost(String why) {
        return new LegReply(TransactionStatus.IDLE, ErrorResponse.error(SqlState.CONNECTION_FAILURE, why),
                List.of(), true);
    }

    public boolean failed() {
        return error != null;
    }
}
