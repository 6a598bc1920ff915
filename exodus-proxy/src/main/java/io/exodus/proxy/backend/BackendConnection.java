package io.exodus.proxy.backend;

import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.List;

/**
 * A backend session that finished its startup: authenticated, parameters reported, ready for queries.
 *
 * @param startupMessages the ParameterStatus and NoticeResponse messages the backend sent during startup, as
 *                        bytes, for the proxy to pass on to its client
 * @param leftover        bytes that arrived after the first ReadyForQuery (none with a well-behaved server)
 */
public record BackendConnection(BackendEndpoint endpoint, NetSocket socket, int processId, int secretKey,
        List<Buffer> startupMessages, TransactionStatus transactionStatus, Buffer leftover) {

    /** The same connection as a relay hands it to the next one: between transactions, its startup bytes consumed. */
    public BackendConnection betweenTransactions() {
        return new BackendConnection(endpoint, socket, processId, secretKey, startupMessages, TransactionStatus.IDLE,
                Buffer.buffer());
    }
}
