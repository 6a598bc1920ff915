package io.exodus.proxy.server;

import io.exodus.proxy.auth.AuthMethod;
import io.exodus.proxy.auth.UserDirectory;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.TcpKeepalive;
import io.exodus.proxy.backend.UnixSocketTransport;
import io.exodus.proxy.cancel.CancelRegistry;
import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.cutover.BypassGuard;
import io.exodus.proxy.metrics.ProxyMetrics;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.tls.BackendTls;
import io.exodus.proxy.tls.ClientTls;
import io.exodus.proxy.tls.ClientTlsMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Starts the client-facing listener when the application starts, and stops it gracefully: no new clients,
 * transactions in flight may finish (up to {@code exodus.shutdown.timeout}), then every session is closed
 * with an explanation.
 */
@ApplicationScoped
public class ProxyServer {
    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    private final CancelRegistry cancels;
    private final SessionRegistry sessions;
    private final ProxyMetrics metrics;
    private final List<ProxyVerticle> verticles = new CopyOnWriteArrayList<>();
    private final DualWriteSetup dualWrite;
    private final CaptureTap capture;
    private final MigrationState migration;
    private final BypassGuard bypassGuard;
    private UserDirectory users;

    @Inject
    public ProxyServer(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, CancelRegistry cancels,
            SessionRegistry sessions, ProxyMetrics metrics, DualWriteSetup dualWrite, CaptureTap capture,
            MigrationState migration, BypassGuard bypassGuard) {
        this.bypassGuard = bypassGuard;
        this.migration = migration;
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        this.cancels = cancels;
        this.sessions = sessions;
        this.metrics = metrics;
        this.dualWrite = dualWrite;
        this.capture = capture;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        ClientTlsMode tlsMode = ClientTlsMode.parse(config.tls().mode());
        AuthMethod authMethod = AuthMethod.parse(config.auth().method());
        NetServerOptions serverOptions = new NetServerOptions()
                .setHost(config.listen().host())
                .setPort(config.listen().port())
                .setTcpNoDelay(true)
                .setTcpKeepAlive(true)
                .setSsl(false);
        if (tlsMode != ClientTlsMode.DISABLE) {
            serverOptions.setKeyCertOptions(ClientTls.keyCertOptions(config.tls()));
        }
        var source = endpoints.source();
        UnixSocketTransport.requireFor(vertx, endpoints.configured());
        users = new UserDirectory(config.auth(), source.url(), endpoints.target().map(BackendEndpoint::url),
                () -> migration.phase() == MigrationPhase.SOURCE_RETIRED, vertx);
        int instances = config.listen().eventLoops().orElse(Runtime.getRuntime().availableProcessors());
        var clientOptions = BackendTls.clientOptions(source.url(), config.source().connectTimeout());
        TcpKeepalive keepalive = TcpKeepalive.of(config.tcp());
        metrics.watchOpenSessions(sessions::size);
        dualWrite.prepare();
        migration.onPhaseChange(phase -> sessions.followPhase());
        migration.onDatabasesChange(sessions::followPhase);
        vertx.deployVerticle(() -> {
            ProxyVerticle verticle = new ProxyVerticle(serverOptions, keepalive, verticleVertx -> {
                BackendConnector sourceConnector = new BackendConnector(verticleVertx.createNetClient(clientOptions),
                        source, config.protocol().maxMessageSize(), keepalive, bypassGuard::toSource);
                return new SessionServices(verticleVertx, users, authMethod, config.auth().timeout(), tlsMode,
                        config.protocol().maxMessageSize(), sourceConnector, cancels, sessions, metrics, capture,
                        new SessionRelays(dualWrite.servicesFor(verticleVertx), sourceConnector,
                                config.protocol().maxMessageSize()));
            });
            verticles.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        LOG.infof("Exodus proxy listening on %s:%d (TLS %s, auth %s) in phase %s → %s",
                config.listen().host(), config.listen().port(), tlsMode.name().toLowerCase(),
                config.auth().method(), dualWrite.describe(), source.describe());
        if (config.source().url().isEmpty()) {
            LOG.infof("Connect with: psql \"postgresql://%s:%s@127.0.0.1:%d/%s\"", source.url().user(),
                    source.url().password(), config.listen().port(), source.url().database());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + config.shutdown().timeout().toNanos();
        int open = sessions.size();
        if (open > 0) {
            LOG.infof("Shutting down: waiting up to %d s for %d open sessions to finish their transactions",
                    config.shutdown().timeout().toSeconds(), open);
        }
        sessions.drain();
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            sleepBriefly();
        }
        if (sessions.size() > 0) {
            LOG.warnf("Shutdown timeout reached: closing %d sessions that were still in a transaction",
                    sessions.size());
            sessions.closeAllNow();
            sleepBriefly();
        }
        Future.join(verticles.stream().map(ProxyVerticle::stopAccepting).toList())
                .toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
        if (users != null) {
            users.close();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
