package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.SessionTrafficSwitch;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.Optional;

/**
 * The initial sync of this proxy: at most one at a time, from phase direct, its progress kept after it ends for the
 * status API. The switch to dual-write needs a {@link SessionTrafficSwitch}; without one the sync is refused before it
 * starts rather than copying a target it could never switch to.
 */
@ApplicationScoped
public class SyncService {
    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    /** This replica's sessions: the sync runs only when this replica is the fleet's one live replica. */
    private final Instance<SessionTrafficSwitch> traffic;
    private final MigrationState migration;
    private SyncProgress current;

    /**
     * Whether a replication slot is the initial sync's own: it is left unread between a sync that stopped and its
     * resumption, and is no standby or subscriber of the database.
     */
    public static boolean ownsSlot(String slotName) {
        return SyncNames.SLOT.equals(slotName);
    }

    public SyncService(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, Instance<SessionTrafficSwitch> traffic,
            MigrationState migration) {
        this.migration = migration;
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        this.traffic = traffic;
    }

    /** Why a sync cannot start now, for the API to answer with. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Why a sync could not copy the schema on this machine (no pg_dump, or none where exodus.sync.pg-bin says), or
     * empty when it could.
     */
    public Optional<String> schemaCopyUnavailable() {
        try {
            ClientPrograms.locate(config.sync().pgBin().map(java.nio.file.Path::of));
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Starts a sync and answers its status at once; the sync goes on in the background. Fails with {@link Refused}
     * when it cannot start. In phase dual-write the one sync that starts is the end of one a crash interrupted after
     * its switch to dual-write: the target's journal says so, and the run checks the fleet's phase record (ADR 0035).
     */
    public Future<SyncStatus> start(SyncRequest request) {
        try {
            checkStartable();
        } catch (Refused refused) {
            return Future.failedFuture(refused);
        }
        if (migration.phase() == MigrationPhase.DIRECT) {
            return Future.succeededFuture(launch(request, false));
        }
        Refused notDirect = new Refused("the sync starts in phase direct and ends in dual-write; this proxy runs in "
                + "phase " + migration.phase().configName());
        if (migration.phase() != MigrationPhase.DUAL_WRITE) {
            return Future.failedFuture(notDirect);
        }
        ControlConnections connections = new ControlConnections(vertx, config.source().connectTimeout());
        return SyncJournal.interrupted(connections.to(endpoints.target().get()))
                .transform(found -> connections.closeAll().transform(closed -> {
                    if (found.failed() || found.result().map(run -> run.switchMark() == null).orElse(true)) {
                        return Future.failedFuture(notDirect);
                    }
                    try {
                        synchronized (this) {
                            checkStartable();
                            return Future.succeededFuture(launch(request, true));
                        }
                    } catch (Refused refused) {
                        return Future.failedFuture(refused);
                    }
                }));
    }

    private synchronized void checkStartable() {
        if (current != null && !current.state().finished()) {
            throw new Refused("a sync is running already (" + current.state().apiName() + ")");
        }
        if (endpoints.target().isEmpty()) {
            throw new Refused("no target configured: set exodus.target.url");
        }
        if (migration.policy().usesTwoPhaseCommit()) {
            // Dual-write under two-phase commit needs its recovery running before the first transaction; the switch
            // turns dual-write on inside a pause that must stay short.
            throw new Refused("the switch to dual-write at the end of the sync does not start two-phase-commit "
                    + "recovery: run the sync under another policy and change it afterwards (PUT /exodus/migration/policy)");
        }
        if (!traffic.isResolvable()) {
            throw new Refused("this build of Exodus cannot switch its sessions to dual-write at the end of a sync "
                    + "(no TrafficSwitch): the sync is not started");
        }
    }

    private synchronized SyncStatus launch(SyncRequest request, boolean endingInterruptedSwitch) {
        SyncSettings settings;
        try {
            settings = SyncSettings.of(config.sync());
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        SyncProgress progress = new SyncProgress();
        current = progress;
        InitialSync sync = new InitialSync(vertx, endpoints.source(), endpoints.target().get(), settings,
                config.source().connectTimeout(), config.protocol().maxMessageSize(), traffic.get(), progress);
        if (endingInterruptedSwitch) {
            sync.finishInterruptedSwitch();
        } else {
            sync.run(request);
        }
        return progress.status();
    }

    /** The running or last sync's status; empty when none was started since the proxy started. */
    public synchronized Optional<SyncStatus> status() {
        return Optional.ofNullable(current).map(SyncProgress::status);
    }
}
