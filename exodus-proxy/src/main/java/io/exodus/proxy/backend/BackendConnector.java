package io.exodus.proxy.backend;

import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.function.UnaryOperator;

/**
 * Opens backend sessions to one database: TCP, TLS as the URL's sslmode says (always with SNI, which Neon and
 * other routers need), then startup and authentication. One connector per endpoint per event loop, so that
 * a backend socket lives on the same event loop as the client socket it serves.
 */
public final class BackendConnector {
    private final NetClient netClient;
    private final BackendEndpoint endpoint;
    private final int maxMessageSize;
    private final TcpKeepalive keepalive;
    private final UnaryOperator<BackendLogin> logins;

    public BackendConnector(NetClient netClient, BackendEndpoint endpoint, int maxMessageSize,
            TcpKeepalive keepalive) {
        this(netClient, endpoint, maxMessageSize, keepalive, UnaryOperator.identity());
    }

    /**
     * @param logins what a session's login becomes on this database (the bypass guard asks for writable
     *               transactions on a source whose application roles it made read-only)
     */
    public BackendConnector(NetClient netClient, BackendEndpoint endpoint, int maxMessageSize,
            TcpKeepalive keepalive, UnaryOperator<BackendLogin> logins) {
        this.netClient = netClient;
        this.endpoint = endpoint;
        this.maxMessageSize = maxMessageSize;
        this.keepalive = keepalive;
        this.logins = logins;
    }

    public BackendEndpoint endpoint() {
        return endpoint;
    }

    public Future<BackendConnection> open(BackendLogin asked) {
        var url = endpoint.url();
        BackendLogin login = logins.apply(asked);
        return netClient.connect(url.socketAddress())
                .recover(failure -> Future.failedFuture(new BackendStartupFailure(ErrorResponse.fatal(
                        SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        "Exodus could not connect to the " + endpoint.describe() + ": " + failure.getMessage())
                        .withHint("Check that the database is up and that the URL in exodus." + endpoint.role()
                                + ".url is right."), failure)))
                .compose(socket -> {
                    keepalive.applyTo(socket);
                    return new BackendHandshake(socket, endpoint, login, maxMessageSize).run()
                            .onFailure(failure -> socket.close());
                });
    }

    /** Sends a CancelRequest for one backend process over a connection of its own, as the protocol wants. */
    public void cancel(int processId, int secretKey) {
        var url = endpoint.url();
        netClient.connect(url.socketAddress()).onSuccess((NetSocket socket) -> socket
                .end(SessionMessages.cancelRequest(processId, secretKey)));
    }
}
