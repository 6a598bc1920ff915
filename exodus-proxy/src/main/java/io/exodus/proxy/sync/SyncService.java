package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.SessionTrafficSwitch;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
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

    /** Starts a sync and returns its status at once; the sync goes on in the background. */
    public synchronized SyncStatus start(SyncRequest request) {
        if (current != null && !current.state().finished()) {
            throw new Refused("a sync is running already (" + current.state().apiName() + ")");
        }
        if (endpoints.target().isEmpty()) {
            throw new Refused("no target configured: set exodus.target.url");
        }
        if (migration.phase() != MigrationPhase.DIRECT) {
            throw new Refused("the sync starts in phase direct and ends in dual-write; this proxy runs in phase "
                    + migration.phase().configName());
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
        SyncSettings settings;
        try {
            settings = SyncSettings.of(config.sync());
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        SyncProgress progress = new SyncProgress();
        current = progress;
        new InitialSync(vertx, endpoints.source(), endpoints.target().get(), settings,
                config.source().connectTimeout(), config.protocol().maxMessageSize(), traffic.get(), progress)
                .run(request);
        return progress.status();
    }

    /** The running or last sync's status; empty when none was started since the proxy started. */
    public synchronized Optional<SyncStatus> status() {
        return Optional.ofNullable(current).map(SyncProgress::status);
    }
}
