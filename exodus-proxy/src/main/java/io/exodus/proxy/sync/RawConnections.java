package io.exodus.proxy.sync;

import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.TcpKeepalive;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.tls.BackendTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wire-protocol sessions of the sync's own, logged in with the URLs' credentials: what the reactive client cannot
 * do (a replication connection, COPY out of one database into another) runs over these. Made and used on the
 * sync's event loop, as {@link Leg} wants.
 */
final class RawConnections {
    private final BackendConnector source;
    private final BackendConnector target;
    private final int maxMessageSize;

    RawConnections(Vertx vertx, BackendEndpoint source, BackendEndpoint target, Duration connectTimeout,
            int maxMessageSize) {
        this.source = connector(vertx, source, connectTimeout, maxMessageSize);
        this.target = connector(vertx, target, connectTimeout, maxMessageSize);
        this.maxMessageSize = maxMessageSize;
    }

    private static BackendConnector connector(Vertx vertx, BackendEndpoint endpoint, Duration connectTimeout,
            int maxMessageSize) {
        return new BackendConnector(vertx.createNetClient(BackendTls.clientOptions(endpoint.url(), connectTimeout)),
                endpoint, maxMessageSize, TcpKeepalive.SYSTEM_DEFAULTS);
    }

    /** A replication connection to the source's database ({@code replication=database}). */
    Future<Leg> sourceReplication() {
        return open(source, Map.of("replication", "database"));
    }

    Future<Leg> source() {
        return open(source, Map.of());
    }

    Future<Leg> target() {
        return open(target, Map.of());
    }

    private Future<Leg> open(BackendConnector connector, Map<String, String> extra) {
        PostgresUrl url = connector.endpoint().url();
        BackendCredential credential = url.password() == null || url.password().isEmpty()
                ? new BackendCredential.None() : new BackendCredential.Password(url.password());
        Map<String, String> parameters = new LinkedHashMap<>(extra);
        parameters.put("application_name", "exodus-sync");
        return connector.open(new BackendLogin(url.user(), url.database(), credential, parameters)).map(connection -> {
            Leg leg = new Leg(connection, maxMessageSize);
            leg.start();
            return leg;
        });
    }
}
