package io.exodus.proxy.sequences;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.functions.SourceFunctions;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.wire.SqlState;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the secondary's sequences up with the primary's while both are written: every
 * {@code exodus.migration.sequence-follow}, each sequence of the secondary that is behind the primary's position is
 * set to it ({@link SequencePositions#follow}); none is ever moved back. Row images give the secondary the values the
 * primary drew, not the draws: without this its sequences stay where they were, a statement it runs as text draws
 * keys the primary handed out long ago, and a comparison of the two finds every sequence different. The cutover and
 * the rollback still set every sequence under their pause; this only keeps the gap small between them. A round
 * looks only at the databases that had sessions through this proxy since the last one, and closes its connections
 * when it ends.
 */
@ApplicationScoped
public class SequenceFollower {
    private static final Logger LOG = Logger.getLogger(SequenceFollower.class);
    /** How long a round waits for a sequence the application holds locked before it gives up until the next. */
    static final Duration LOCK_TIMEOUT = Duration.ofMillis(100);

    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final SourceFunctions functions;
    private final AtomicBoolean running = new AtomicBoolean();
    /** When the last round started: the databases in use since then are the next round's. */
    private long lastRound = System.nanoTime();
    private ControlConnections connections;
    private long timer = -1;
    private String lastFailure;

    public SequenceFollower(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration,
            SourceFunctions functions) {
        this.functions = functions;
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        this.migration = migration;
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.migration().sequenceFollow().toMillis();
        if (every <= 0 || endpoints.target().isEmpty()) {
            return;
        }
        // The rounds read every sequence of a database, locking each: DDL of the application that takes them in
        // another order (DROP SCHEMA … CASCADE) would deadlock with a round, and PostgreSQL might cancel the DDL.
        connections = ControlConnections.yielding(vertx, LOCK_TIMEOUT);
        timer = vertx.setPeriodic(every, id -> follow());
    }

    /** One round, unless the last is still running or the phase writes one database only. */
    void follow() {
        MigrationPhase phase = migration.phase();
        if (!phase.writesBothDatabases() || !running.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        // Only databases written through this proxy since the last round: their sequences are the ones that moved,
        // and a connection to any other could keep its DROP DATABASE from running.
        List<String> databases = functions.databasesInUseSince(lastRound);
        lastRound = started;
        if (databases.isEmpty()) {
            running.set(false);
            return;
        }
        BackendEndpoint primary = endpoint(phase.primary());
        BackendEndpoint secondary = endpoint(phase.primary().other());
        new SequencePositions(connections).follow(primary, secondary, databases).onComplete(result -> {
            connections.closeAll();
            running.set(false);
            if (result.succeeded()) {
                lastFailure = null;
            } else if (yieldedToALock(result.cause())) {
                LOG.debugf("A round of sequence following yielded to the application's lock; the next one follows: %s",
                        result.cause().getMessage());
            } else if (!String.valueOf(result.cause().getMessage()).equals(lastFailure)) {
                lastFailure = String.valueOf(result.cause().getMessage());
                LOG.warnf("Could not bring the %s's sequences up to the %s's positions (tried again every %d ms): %s",
                        secondary.role(), primary.role(), config.migration().sequenceFollow().toMillis(),
                        lastFailure);
            }
        });
    }

    private static boolean yieldedToALock(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PgException pg && SqlState.LOCK_NOT_AVAILABLE.equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private BackendEndpoint endpoint(Side side) {
        return side == Side.SOURCE ? endpoints.source() : endpoints.target().orElseThrow();
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (connections != null) {
            connections.close();
        }
    }
}
