package io.exodus.proxy.server;

import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.TcpKeepalive;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.dualwrite.DualWriteServices;
import io.exodus.proxy.functions.SourceFunctions;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.shadow.ShadowReads;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.tls.BackendTls;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything phase dual-write needs before the listener opens: a target to write to, the source's functions
 * for statement classification ({@link SourceFunctions}), and (under two-phase commit) the recovery's gids and decision log. Ready
 * whenever a target is configured, whatever the phase at start: the phase may turn to dual-write at run time. Without
 * a target it provides nothing and sessions relay to the source alone.
 */
@ApplicationScoped
public class DualWriteSetup {
    private static final Logger LOG = Logger.getLogger(DualWriteSetup.class);

    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final DivergenceLog divergences;
    private final TwoPhaseRecovery recovery;
    private final DualWriteMetrics metrics;
    private final CatchUpApplier replay;
    private final ReadsBySide reads;
    private final ShadowReads shadow;
    private final Map<String, TableShape> tableShapes = new ConcurrentHashMap<>();
    private final SourceFunctions functions;

    public DualWriteSetup(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration,
            DivergenceLog divergences, TwoPhaseRecovery recovery, DualWriteMetrics metrics,
            CatchUpApplier replay, ReadsBySide reads, ShadowReads shadow,
            SourceFunctions functions) {
        this.functions = functions;
        this.shadow = shadow;
        this.reads = reads;
        this.metrics = metrics;
        this.replay = replay;
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        this.migration = migration;
        this.divergences = divergences;
        this.recovery = recovery;
    }

    private boolean active() {
        return endpoints.target().isPresent();
    }

    String describe() {
        return migration.phase().usesTarget() ? migration.phase().configName() + " (policy "
                + migration.policy().configName() + ", target "
                + endpoints.target().map(BackendEndpoint::describe).orElse("?") + ")" : "direct";
    }

    /** Runs on the start-up thread, before the verticles deploy; fails start-up with a message that says what to fix. */
    void prepare() throws Exception {
        if (migration.phase().usesTarget() && endpoints.target().isEmpty()) {
            throw new IllegalStateException("exodus.migration.phase=" + migration.phase().configName() + " needs a target: set exodus.target.url "
                    + "(EXODUS_TARGET_URL) to the database that receives the writes");
        }
        if (!active()) {
            return;
        }
        functions.start();
    }

    /** The dual-write services of one event loop, or null without a target. */
    DualWriteServices servicesFor(Vertx loopVertx) {
        if (!active()) {
            return null;
        }
        BackendEndpoint target = endpoints.target().orElseThrow();
        BackendConnector connector = new BackendConnector(loopVertx.createNetClient(
                BackendTls.clientOptions(target.url(), config.target().connectTimeout())), target,
                config.protocol().maxMessageSize(), TcpKeepalive.of(config.tcp()));
        return new DualWriteServices(connector, migration, functions, tableShapes,
                recovery.globalTransactionIds(), recovery.commitDecisionLog(),
                divergences, true, config.migration().secondaryTimeout(),
                config.migration().secondaryReconnectInterval(), metrics, replay, reads,
                config.migration().copyFromFileMaxBytes(), config.migration().largeObjectMaxBytes(),
                config.migration().rowImageMaxBytes(), shadow);
    }
}
