package io.exodus.proxy.session;

import io.exodus.proxy.auth.AuthMethod;
import io.exodus.proxy.auth.UserDirectory;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.cancel.CancelRegistry;
import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.metrics.ProxyMetrics;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.tls.ClientTlsMode;
import io.vertx.core.Vertx;

import java.time.Duration;

/** What a client session needs from the proxy around it; one instance per event loop. */
public record SessionServices(
        Vertx vertx,
        UserDirectory users,
        AuthMethod authMethod,
        Duration authTimeout,
        ClientTlsMode tlsMode,
        int maxMessageSize,
        BackendConnector source,
        CancelRegistry cancels,
        SessionRegistry registry,
        ProxyMetrics metrics,
        CaptureTap capture,
        Relays relays) {

    /** The connector to one of the migration's databases; null for a target when none is configured. */
    public BackendConnector connector(Side side) {
        return side == Side.SOURCE ? source : relays.target();
    }
}
