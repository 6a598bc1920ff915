package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalSettings;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * Sessions of verification's own on both databases (never a client's), with {@link CanonicalSettings} in force; at
 * most two per database and side, from pools apart from the proxy's other control connections.
 */
@ApplicationScoped
public class VerificationSessions {
    private final Vertx vertx;
    private final BackendEndpoints endpoints;
    private final ExodusConfig config;
    private ControlConnections connections;

    public VerificationSessions(Vertx vertx, BackendEndpoints endpoints, ExodusConfig config) {
        this.vertx = vertx;
        this.endpoints = endpoints;
        this.config = config;
    }

    /** Whether there is a target to compare the source with. */
    public boolean haveTarget() {
        return endpoints.target().isPresent();
    }

    /** @param database null: the source URL's */
    String database(String database) {
        return database == null || database.isBlank() ? endpoints.source().url().database() : database;
    }

    /**
     * One session on each database; fails with {@link VerificationRefused} saying which could not be reached.
     *
     * @param share of the wall time its queries may keep each database busy ({@link Throttle}); 1: no cap
     */
    Future<BothSides> open(String database, double share) {
        Optional<BackendEndpoint> target = endpoints.target();
        if (target.isEmpty()) {
            return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.NO_TARGET,
                    "no target to verify against: set exodus.target.url (EXODUS_TARGET_URL)"));
        }
        Future<SqlConnection> source = session(endpoints.source(), database);
        Future<SqlConnection> onTarget = session(target.get(), database);
        return Future.join(source, onTarget).map(both -> new BothSides(source.result(), onTarget.result(),
                        new Sides<>(new Throttle(vertx, share), new Throttle(vertx, share))))
                .recover(failure -> {
                    if (source.succeeded()) {
                        source.result().close();
                    }
                    if (onTarget.succeeded()) {
                        onTarget.result().close();
                    }
                    BackendEndpoint down = source.failed() ? endpoints.source() : target.get();
                    Throwable cause = source.failed() ? source.cause() : onTarget.cause();
                    return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.UNREACHABLE,
                            "cannot verify database \"" + database + "\": the " + down.describe() + " cannot be "
                                    + "reached or refused the login (" + cause.getMessage() + ")"));
                });
    }

    private Future<SqlConnection> session(BackendEndpoint endpoint, String database) {
        return connections().to(endpoint, database).getConnection().compose(connection ->
                connection.query(CanonicalSettings.SQL + ";\nSET application_name = 'exodus-verify'").execute()
                        .map(connection)
                        .onFailure(failure -> connection.close()));
    }

    private synchronized ControlConnections connections() {
        if (connections == null) {
            connections = new ControlConnections(vertx, config.source().connectTimeout());
        }
        return connections;
    }

    @PreDestroy
    synchronized void stop() {
        if (connections != null) {
            connections.close();
            connections = null;
        }
    }
}
