package io.exodus.proxy.consistency;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane of the two-phase-commit policy in the dual-write phase: before the proxy serves clients, it
 * checks that both servers can prepare transactions and finishes the ones this proxy left prepared when it last died;
 * then, every 30 seconds, it finishes those of proxies that died for good and purges old commit decisions.
 *
 * <p>The session engine takes its gids from {@link #globalTransactionIds()} and writes its decisions to the tables
 * of {@link #commitDecisionLog()}. The primary, whose COMMIT PREPARED decides, is the source before the cutover and the
 * target after it; each transaction's gid says which.
 */
@ApplicationScoped
public class TwoPhaseRecovery {
    private static final Logger LOG = Logger.getLogger(TwoPhaseRecovery.class);
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);
    /**
     * A decision is needed only while the secondary's half of its transaction is prepared, and the purge keeps those
     * anyway; the margin covers a transaction whose decision row was written but whose secondary PREPARE is not yet
     * visible when the purge lists the secondary's prepared transactions.
     */
    static final Duration DECISION_RETENTION = Duration.ofMinutes(10);
    /** Start-up waits this long for the check and the recovery; both need the two servers to answer. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    private final boolean required;
    private final GlobalTransactionIds ids;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private ControlConnections connections;
    private CommitDecisionLog decisions;
    private InDoubtTransactionResolver resolver;
    private Future<Void> beforeServing;
    private volatile boolean recovered;
    private volatile InDoubtTransactionResolver.Resolution lastResolution = InDoubtTransactionResolver.Resolution.NONE;
    /** What every run so far finished: the counters of {@code exodus.twophase.recovered}. */
    /** Halves finished since start, by side and verb: source rolled back, committed; target rolled back, committed. */
    private final AtomicLong[] finishedHalves = { new AtomicLong(), new AtomicLong(), new AtomicLong(),
            new AtomicLong() };
    private long sweepTimer = -1;

    @Inject
    public TwoPhaseRecovery(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration) {
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        this.required = migration.phase().writesBothDatabases() && migration.policy().usesTwoPhaseCommit();
        this.ids = new GlobalTransactionIds(config.migration().proxyId().orElseGet(TwoPhaseRecovery::hostName));
    }

    /** Whether the proxy starts in the dual-write phase under the two-phase-commit policy. */
    public boolean required() {
        return required;
    }

    /** True once recovery at start-up finished, or when the proxy does not start under two-phase commit. */
    public boolean recovered() {
        return !required || recovered;
    }

    public GlobalTransactionIds globalTransactionIds() {
        return ids;
    }

    /** The decision log in the primary's databases; needs a target. */
    public synchronized CommitDecisionLog commitDecisionLog() {
        if (decisions == null) {
            decisions = new CommitDecisionLog(connections(), endpoints.source(), targetOrFail());
        }
        return decisions;
    }

    /** Halves of in-doubt transactions recovery finished on that side with that verb, since the proxy started. */
    public long recovered(Side side, boolean committed) {
        return finishedHalves[side.ordinal() * 2 + (committed ? 1 : 0)].get();
    }

    private void finished(InDoubtTransactionResolver.Resolution resolution) {
        lastResolution = resolution;
        finishedHalves[0].addAndGet(resolution.sourceRolledBack());
        finishedHalves[1].addAndGet(resolution.sourceCommitted());
        finishedHalves[2].addAndGet(resolution.targetRolledBack());
        finishedHalves[3].addAndGet(resolution.targetCommitted());
    }

    /** The gids still prepared that the last run could not finish, for the readiness check. */
    public List<String> unresolved() {
        return lastResolution.unresolved();
    }

    /**
     * Under two-phase commit: checks both servers and resolves this proxy's own in-doubt transactions, once; the
     * listener must wait for it. Fails with a message that says what to change when a server does not allow prepared
     * transactions. Does nothing under another policy.
     */
    public synchronized Future<Void> beforeServing() {
        if (beforeServing == null) {
            beforeServing = required ? recoverOwn() : Future.succeededFuture();
        }
        return beforeServing;
    }

    /**
     * For a change to the two-phase-commit policy while the proxy runs, before the change: checks both servers (fails
     * with the same message as at start-up) and starts the periodic sweep. Own transactions are not resolved here, as
     * some may be in flight.
     */
    public synchronized Future<Void> activate() {
        return verifyServers().onSuccess(checked -> startSweeping());
    }

    /** Runs {@link #beforeServing()} ahead of the listener's own start-up observer, and fails start-up with it. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent event) throws InterruptedException {
        if (!required) {
            return;
        }
        try {
            beforeServing().toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // The cause's message is the one that tells the user what to do.
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Two-phase-commit recovery did not finish within "
                    + START_TIMEOUT.toMinutes() + " minutes: check that the source and the target answer", e);
        }
    }

    private Future<Void> recoverOwn() {
        return verifyServers()
                .compose(checked -> resolver().resolveOwn(ids.proxyId()))
                .map(resolution -> {
                    finished(resolution);
                    LOG.infof("Two-phase-commit recovery for proxy id %s: on the source %d committed and %d rolled "
                            + "back, on the target %d committed and %d rolled back, %d left prepared", ids.proxyId(),
                            resolution.sourceCommitted(), resolution.sourceRolledBack(), resolution.targetCommitted(),
                            resolution.targetRolledBack(), resolution.unresolved().size());
                    recovered = true;
                    startSweeping();
                    return null;
                });
    }

    private Future<Void> verifyServers() {
        try {
            return new PreparedTransactionsCheck(connections()).verify(List.of(endpoints.source(), targetOrFail()));
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
    }

    private synchronized void startSweeping() {
        if (sweepTimer < 0) {
            sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL.toMillis(), timer -> sweep());
        }
    }

    /** Orphans of other proxies, and decisions no longer needed; skipped while the previous sweep still runs. */
    Future<Void> sweep() {
        if (!sweeping.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        return resolver().resolveOrphans(config.migration().orphanTimeout())
                .onSuccess(this::finished)
                .compose(resolution -> Future.join(commitDecisionLog().ensuredDatabases().stream()
                        .map(where -> commitDecisionLog().purgeOlderThan(where.side(), where.database(),
                                DECISION_RETENTION))
                        .toList()))
                .onFailure(failure -> LOG.warnf("Two-phase-commit sweep failed; it runs again in %d s: %s",
                        SWEEP_INTERVAL.toSeconds(), failure.getMessage()))
                .<Void>mapEmpty()
                .onComplete(done -> sweeping.set(false));
    }

    private synchronized InDoubtTransactionResolver resolver() {
        if (resolver == null) {
            resolver = new InDoubtTransactionResolver(connections(), endpoints.source(), targetOrFail());
        }
        return resolver;
    }

    private BackendEndpoint targetOrFail() {
        return endpoints.target().orElseThrow(() -> new IllegalStateException(
                "The two-phase-commit policy commits on a source and a target, but no target is configured: set "
                        + "exodus.target.url, or choose another policy with exodus.migration.policy."));
    }

    private synchronized ControlConnections connections() {
        if (connections == null) {
            connections = new ControlConnections(vertx, config.source().connectTimeout());
        }
        return connections;
    }

    @PreDestroy
    synchronized void stop() {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
        }
        if (connections != null) {
            connections.close();
        }
    }

    private static String hostName() {
        // Set in every Kubernetes pod, and unique among the pods of a deployment.
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "proxy";
        }
    }
}
