package io.exodus.proxy.backend;

import io.vertx.core.Vertx;

import java.util.List;

/**
 * Unix-domain sockets need Netty's native transport (epoll, bundled for Linux x86_64); Java's own NIO transport
 * cannot open them. Checked at start-up so that a socket URL on another platform fails with its reason there,
 * not as a connection error on every client's first query.
 */
public final class UnixSocketTransport {
    private UnixSocketTransport() {
    }

    public static void requireFor(Vertx vertx, List<BackendEndpoint> endpoints) {
        for (BackendEndpoint endpoint : endpoints) {
            if (endpoint.url().unixSocket() && !vertx.isNativeTransportEnabled()) {
                Throwable cause = vertx.unavailableNativeTransportCause();
                throw new IllegalStateException("exodus." + endpoint.role() + ".url names a Unix-domain socket ("
                        + endpoint.url().host() + "), which needs Netty's native epoll transport (Linux x86_64, "
                        + "quarkus.vertx.prefer-native-transport=true); it is not available here"
                        + (cause == null ? "" : ": " + cause.getMessage())
                        + ". Use the database's TCP address (host:port) instead.");
            }
        }
    }
}
