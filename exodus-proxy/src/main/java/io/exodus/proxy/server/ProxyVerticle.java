package io.exodus.proxy.server;

import io.exodus.proxy.backend.TcpKeepalive;
import io.exodus.proxy.session.ClientSession;
import io.exodus.proxy.session.SessionServices;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

import java.util.function.Function;

/**
 * One event loop's share of the proxy: a NetServer on the shared listen port (Vert.x spreads accepted
 * connections over the instances) and the backend clients its sessions use, so that a client socket and its
 * backend sockets live on the same thread and never hand bytes across threads.
 */
final class ProxyVerticle extends AbstractVerticle {
    private final NetServerOptions serverOptions;
    private final TcpKeepalive keepalive;
    private final Function<Vertx, SessionServices> servicesFactory;
    private NetServer server;

    ProxyVerticle(NetServerOptions serverOptions, TcpKeepalive keepalive,
            Function<Vertx, SessionServices> servicesFactory) {
        this.serverOptions = serverOptions;
        this.keepalive = keepalive;
        this.servicesFactory = servicesFactory;
    }

    @Override
    public void start(Promise<Void> started) {
        SessionServices services = servicesFactory.apply(vertx);
        server = vertx.createNetServer(serverOptions)
                .connectHandler(socket -> {
                    keepalive.applyTo(socket);
                    new ClientSession(socket, services, context).start();
                });
        server.listen().<Void>mapEmpty().onComplete(started);
    }

    /** Closes the listening socket and, Vert.x being what it is, every connection it accepted. */
    Future<Void> stopAccepting() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
