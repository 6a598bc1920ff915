package io.exodus.proxy.control;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.TenantReads;
import io.exodus.proxy.migration.StateLease;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.session.SessionRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The state every replica of a fleet obeys: phase, policy and canary share in the source's {@code exodus} schema. A
 * change made through any replica is written there in one transaction with its audit row and a notification
 * ({@code LISTEN exodus_control}); every replica reads the state when notified, and every poll interval should a
 * notification be lost, and applies a version newer than its own. Each replica reports, every heartbeat, the version
 * it applied: a change answers once every live replica has applied it. A heartbeat that finds the fleet's version equal
 * to the one this replica applied confirms its {@link StateLease}; a replica that cannot confirm it for
 * {@code stale-after} keeps its last state for reads and refuses writes (docs/adr/0032).
 */
@ApplicationScoped
public class ControlPlane {
    private static final Logger LOG = Logger.getLogger(ControlPlane.class);
    private static final long START_TIMEOUT_SECONDS = 15;
    /** How long a fleet pause outlives its wait, should its requester die: then every replica resumes by itself. */
    private static final long PAUSE_LEASE_MARGIN_MILLIS = 30_000;

    private final Vertx vertx;
    private final ExodusConfig.Control config;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final TwoPhaseRecovery recovery;
    private final String replicaId;
    private final FleetPauseFollower pauses;
    private final SessionRegistry sessions;
    private final HeartbeatReport report;
    private ControlConnections connections;
    private PgSubscriber subscriber;
    private long pollTimer = -1;
    private long heartbeatTimer = -1;
    /** The version of the state this replica applied; 0 before the first read. */
    private volatile long applied;
    private volatile ControlState last;
    /** The fleet's count of route changes in the state this replica applied ({@link ControlState#routeChanges}). */
    private long routeChanges;
    /** Whether the log last said this replica is stale; changed under {@code this}. */
    private boolean reportedStale;

    public ControlPlane(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration,
            TwoPhaseRecovery recovery, SessionRegistry sessions, CatchUpApplier replay, HeartbeatReport report) {
        this.report = report;
        this.pauses = new FleetPauseFollower(vertx, sessions, replay, config.migration().cutover().timeout());
        this.sessions = sessions;
        this.vertx = vertx;
        this.config = config.control();
        this.endpoints = endpoints;
        this.migration = migration;
        this.recovery = recovery;
        this.replicaId = config.migration().proxyId().orElseGet(() -> hostName() + ":" + config.listen().port());
    }

    public boolean enabled() {
        return config.enabled();
    }

    public String replicaId() {
        return replicaId;
    }

    /** Whether this replica could not confirm the fleet's state for {@code stale-after}: it refuses writes. */
    public boolean stale() {
        return migration.lease().stale(System.nanoTime());
    }

    /** The state last read from the control database, or null before the first read. */
    public ControlState last() {
        return last;
    }

    /** Before the listener opens: the replica starts in the fleet's state, or in its configured one if it is first. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1) StartupEvent event) throws Exception {
        if (!config.enabled()) {
            return;
        }
        connections = new ControlConnections(vertx);
        migration.confirmWith(new ConfirmationOnDemand(vertx, this::heartbeat, config.staleAfter()));
        try {
            createTables().compose(v -> pool().preparedQuery(ControlSql.INSERT_INITIAL).execute(Tuple.of(
                    config.fleet(), migration.phase().configName(), migration.policy().configName(),
                    migration.configuredCanaryPercent(), replicaId, migration.databases().stored())))
                    .compose(v -> refresh()).compose(v -> heartbeat())
                    .toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("The control state of fleet \"%s\" could not be read from the source (%s): this replica starts "
                    + "in its configured phase %s, refuses writes until it has confirmed the fleet's state, and follows "
                    + "the fleet once the source answers", config.fleet(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), migration.phase().configName());
        }
        if (config.listen()) {
            listen();
        } else {
            LOG.infof("Control: not listening for changes (exodus.control.listen=false); reading the state every %d ms",
                    config.pollInterval().toMillis());
        }
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> refresh());
        heartbeatTimer = vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> {
            noteStaleness();
            heartbeat();
        });
        if (config.staleAfter().compareTo(config.heartbeatInterval().multipliedBy(3)) >= 0) {
            LOG.warnf("Control: exodus.control.stale-after (%d ms) is not below three heartbeat intervals (%d ms): a "
                    + "change may go on without this replica while it still writes by a state it cannot confirm",
                    config.staleAfter().toMillis(), 3 * config.heartbeatInterval().toMillis());
        }
        noteStaleness();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (connections == null) {
            return;
        }
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(heartbeatTimer);
        if (subscriber != null) {
            subscriber.close();
        }
        try {
            pool().preparedQuery(ControlSql.LEAVE).execute(Tuple.of(config.fleet(), replicaId))
                    .toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("Could not sign off replica %s: %s", replicaId, e.getMessage());
        }
        connections.close();
    }

    /**
     * Changes one setting for the whole fleet: written with its audit row and a notification in one transaction,
     * applied here at once, answered when every live replica applied it (or after {@code apply-timeout}).
     */
    public Future<ControlChange> change(ControlSetting setting, String to, String who, String why) {
        return change(setting, to, who, why, 0);
    }

    /**
     * A change made under the fleet's pause {@code heldPause} (0: none): in the same transaction, with the state's row
     * locked, every live replica must hold it, or the change is refused and nothing changed. The requester waited for
     * that before, but a replica that became live again after its last look (its heartbeats back) did not hold the
     * pause and may have begun transactions by the old route; a heartbeat takes the row {@code FOR SHARE}, so it
     * either ended before this look or reads the new version and confirms nothing (docs/adr/0032).
     */
    public Future<ControlChange> change(ControlSetting setting, String to, String who, String why, long heldPause) {
        Object value = switch (setting) {
            case CANARY_PERCENT -> Double.valueOf(to);
            case SHADOW -> Boolean.valueOf(to);
            case DATABASES -> MigrationDatabases.parse(to).stored();
            default -> to;
        };
        return pool().withTransaction(connection -> connection.preparedQuery(ControlSql.READ_FOR_CHANGE)
                .execute(Tuple.of(config.fleet())).compose(rows -> heldPause == 0 ? Future.succeededFuture(rows)
                        : connection.preparedQuery(ControlSql.NOT_HELD).execute(Tuple.of(config.fleet(),
                                3 * config.heartbeatInterval().toMillis(), heldPause)).compose(unheld -> {
                                    List<String> replicas = new ArrayList<>();
                                    unheld.forEach(row -> replicas.add(row.getString(0)));
                                    return replicas.isEmpty() ? Future.succeededFuture(rows)
                                            : Future.failedFuture(new PauseNotHeld("replica"
                                                    + (replicas.size() == 1 ? " " : "s ") + String.join(", ", replicas)
                                                    + " became live during the pause without holding it"));
                                }))
                .compose(rows -> {
                    ControlState before = stateOf(rows);
                    String from = before == null ? null : switch (setting) {
                        case PHASE -> before.phase();
                        case POLICY -> before.policy();
                        case CANARY_PERCENT -> String.valueOf(before.canaryPercent());
                        case TENANT_READS -> before.tenantReads();
                        case SHADOW -> String.valueOf(before.shadow());
                        case DATABASES -> before.databases();
                    };
                    int routeChange = before != null && (setting == ControlSetting.PHASE
                            && !routeCovers(before.phase(), to) || setting == ControlSetting.DATABASES
                            && movesSessions(before, to)) ? 1 : 0;
                    return connection.preparedQuery(ControlSql.update(setting.column()))
                            .execute(Tuple.of(config.fleet(), value, who, routeChange)).compose(updated -> {
                                long version = updated.iterator().next().getLong(0);
                                return connection.preparedQuery(ControlSql.AUDIT).execute(Tuple.of(config.fleet(),
                                        who, setting.auditName(), from, to, why, version))
                                        .compose(v -> connection.preparedQuery(ControlSql.NOTIFY)
                                                .execute(Tuple.of(config.fleet())))
                                        .map(v -> new String[] {from, String.valueOf(version)});
                            });
                })).compose(done -> {
                    long version = Long.parseLong(done[1]);
                    LOG.infof("Control: %s changed from %s to %s by %s (version %d of fleet \"%s\")%s",
                            setting.auditName(), done[0], to, who, version, config.fleet(),
                            why == null ? "" : ": " + why);
                    return refresh().compose(v -> waitForReplicas(setting, done[0], to, version));
                });
    }

    /** The replicas of the fleet, live or not, as their heartbeats reported them. */
    public Future<List<Replica>> replicas() {
        return pool().preparedQuery(ControlSql.REPLICAS)
                .execute(Tuple.of(config.fleet(), 3 * config.heartbeatInterval().toMillis())).map(rows -> {
                    List<Replica> replicas = new ArrayList<>();
                    for (Row row : rows) {
                        replicas.add(new Replica(row.getString(0), row.getString(1), row.getString(2),
                                row.getLong(3), row.getString(4), row.getBoolean(5)));
                    }
                    return replicas;
                });
    }

    /** What each replica of the fleet, live or not, reported with its last heartbeat ({@link HeartbeatReport}). */
    public Future<Map<String, String>> reportedCounters() {
        return pool().preparedQuery(ControlSql.COUNTERS).execute(Tuple.of(config.fleet())).map(rows -> {
            Map<String, String> counters = new LinkedHashMap<>();
            rows.forEach(row -> counters.put(row.getString(0), row.getString(1)));
            return counters;
        });
    }

    /**
     * The fleet's version as the control database has it now: a mark to ask {@link #phaseChangesSince} about later,
     * from this replica or from one started after it died.
     */
    public Future<Long> fleetVersion() {
        return pool().preparedQuery(ControlSql.VERSION).execute(Tuple.of(config.fleet()))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong(0) : 0L);
    }

    /** The fleet's phase changes committed after {@code version}, oldest first, as the audit has them. */
    public Future<List<AuditedChange>> phaseChangesSince(long version) {
        return pool().preparedQuery(ControlSql.PHASE_CHANGES_SINCE).execute(Tuple.of(config.fleet(), version))
                .map(rows -> {
                    List<AuditedChange> changes = new ArrayList<>();
                    rows.forEach(row -> changes.add(new AuditedChange(row.getString(0), row.getString(1),
                            row.getString(2), row.getLong(3))));
                    return changes;
                });
    }

    private Future<ControlChange> waitForReplicas(ControlSetting setting, String from, String to, long version) {
        long deadline = System.nanoTime() + config.applyTimeout().toNanos();
        Promise<ControlChange> answer = Promise.promise();
        checkReplicas(setting, from, to, version, deadline, answer);
        return answer.future();
    }

    private void checkReplicas(ControlSetting setting, String from, String to, long version, long deadline,
            Promise<ControlChange> answer) {
        replicas().onFailure(answer::fail).onSuccess(replicas -> {
            List<String> appliedBy = new ArrayList<>();
            List<String> pending = new ArrayList<>();
            for (Replica replica : replicas) {
                if (replica.live()) {
                    (replica.version() >= version ? appliedBy : pending).add(replica.id());
                }
            }
            if (pending.isEmpty() || System.nanoTime() > deadline) {
                if (!pending.isEmpty()) {
                    LOG.warnf("Control: version %d of fleet \"%s\" not applied yet by %s after %d ms", version,
                            config.fleet(), String.join(", ", pending), config.applyTimeout().toMillis());
                }
                answer.complete(new ControlChange(setting, from, to, version, appliedBy, pending));
                return;
            }
            vertx.setTimer(50, id -> checkReplicas(setting, from, to, version, deadline, answer));
        });
    }

    private Future<Void> createTables() {
        return pool().withTransaction(connection -> connection.query(ControlSql.LOCK).execute()
                .compose(v -> connection.query(ControlSql.CREATE).execute()).mapEmpty());
    }

    private void listen() {
        subscriber = PgSubscriber.subscriber(vertx, connections.options(endpoints.source(),
                endpoints.source().url().database()));
        // Reconnect for ever, once a second: a state changed meanwhile is read by the poll.
        subscriber.reconnectPolicy(attempt -> 1000L);
        subscriber.channel(ControlSql.CHANNEL).handler(fleet -> {
            if (config.fleet().equals(fleet)) {
                refresh();
            }
        });
        subscriber.connect().onFailure(failure -> LOG.warnf("Control: cannot listen for changes on the source (%s); "
                + "reading the state every %d ms instead", failure.getMessage(), config.pollInterval().toMillis()));
    }

    /**
     * Reads the fleet's state and applies it if it is newer than what this replica applied; then follows the fleet's
     * pause, so that a pause that ended after a phase change resumes sessions in the new phase.
     */
    private Future<Void> refresh() {
        if (heldByTest()) {
            return Future.failedFuture("held back by exodus.control.test-hold-file");
        }
        return pool().preparedQuery(ControlSql.READ).execute(Tuple.of(config.fleet())).compose(rows -> {
            ControlState state = stateOf(rows);
            return state == null ? Future.succeededFuture() : apply(state);
        }).compose(v -> pool().preparedQuery(ControlSql.READ_PAUSE).execute(Tuple.of(config.fleet())))
                .<Void>map(rows -> {
                    if (rows.iterator().hasNext()) {
                        Row row = rows.iterator().next();
                        pauses.follow(row.getLong(0), row.getBoolean(1), LongTransactions.fromConfig(row.getString(2)),
                                Duration.ofMillis(row.getLong(3)), pool(), config.fleet(), replicaId);
                    }
                    return null;
                })
                .onFailure(failure -> LOG.debugf("Control: could not read the state: %s", failure.getMessage()));
    }

    /**
     * Begins a pause of the whole fleet's new transactions (every live replica, this one included, follows it at its
     * next read of the state); fails when one is in effect already. The pause expires by itself after the wait it
     * allows and a margin, should this replica die before it ends it; one that waits for long transactions
     * ({@link LongTransactions#WAIT}) is kept alive by {@link #renewFleetPause}.
     *
     * @param atTimeout what every replica does with its transactions still open after {@code maxWait}
     */
    public Future<Long> beginFleetPause(Duration maxWait, LongTransactions atTimeout) {
        long leaseMillis = pauseLeaseMillis(maxWait, atTimeout);
        return pool().preparedQuery(ControlSql.BEGIN_PAUSE).execute(Tuple.of(config.fleet(), replicaId, leaseMillis,
                atTimeout.configName(), maxWait.toMillis()))
                .compose(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Future.failedFuture(new IllegalStateException("another pause of fleet \""
                                + config.fleet() + "\" is in effect"));
                    }
                    long id = rows.iterator().next().getLong(0);
                    return notifyFleet().compose(v -> refresh()).map(id);
                });
    }

    /**
     * How long a pause lives without its requester: the waits it allows, and a margin; one without a bound lives one
     * wait at a time, renewed by its requester.
     */
    public static long pauseLeaseMillis(Duration maxWait, LongTransactions atTimeout) {
        return Math.max(1, atTimeout.waits()) * maxWait.toMillis() + PAUSE_LEASE_MARGIN_MILLIS;
    }

    /** The pause {@code id} lives another {@code leaseMillis} from now (its requester waits on). */
    public Future<Void> renewFleetPause(long id, long leaseMillis) {
        return pool().preparedQuery(ControlSql.RENEW_PAUSE).execute(Tuple.of(config.fleet(), id, leaseMillis))
                .mapEmpty();
    }

    /** The live replicas that do not hold the fleet's pause {@code id} yet. */
    public Future<List<String>> notHolding(long id) {
        return pool().preparedQuery(ControlSql.NOT_HELD)
                .execute(Tuple.of(config.fleet(), 3 * config.heartbeatInterval().toMillis(), id)).map(rows -> {
                    List<String> replicas = new ArrayList<>();
                    rows.forEach(row -> replicas.add(row.getString(0)));
                    return replicas;
                });
    }

    /** Ends the fleet's pause {@code id}: every replica lets its sessions go on at its next read of the state. */
    public Future<Void> endFleetPause(long id) {
        return pool().preparedQuery(ControlSql.END_PAUSE).execute(Tuple.of(config.fleet(), id))
                .compose(v -> notifyFleet()).compose(v -> refresh());
    }

    private Future<Void> notifyFleet() {
        return pool().preparedQuery(ControlSql.NOTIFY).execute(Tuple.of(config.fleet())).mapEmpty();
    }

    private Future<Void> apply(ControlState state) {
        last = state;
        if (state.version() <= applied) {
            return Future.succeededFuture();
        }
        MigrationPhase phase;
        ConsistencyPolicy policy;
        TenantReads tenantReads;
        MigrationDatabases databases;
        try {
            phase = MigrationPhase.fromConfig(state.phase());
            policy = ConsistencyPolicy.fromConfig(state.policy());
            tenantReads = TenantReads.parse(state.tenantReads());
            databases = MigrationDatabases.parse(state.databases());
        } catch (IllegalArgumentException e) {
            LOG.errorf("Control: version %d of fleet \"%s\" cannot be applied (%s); keeping version %d",
                    state.version(), config.fleet(), e.getMessage(), applied);
            return Future.succeededFuture();
        }
        if (phase.usesTarget() && endpoints.target().isEmpty()) {
            LOG.errorf("Control: fleet \"%s\" is in phase %s, which needs a target, and this replica has none "
                    + "configured (exodus.target.url): it keeps phase %s", config.fleet(), phase.configName(),
                    migration.phase().configName());
            return Future.succeededFuture();
        }
        Future<Void> ready = phase.writesBothDatabases() && policy.usesTwoPhaseCommit()
                && !(migration.phase().writesBothDatabases() && migration.policy().usesTwoPhaseCommit())
                ? recovery.activate() : Future.succeededFuture();
        return ready.onSuccess(v -> {
            synchronized (this) {
                if (state.version() <= applied) {
                    return;
                }
                // A change of the route this replica did not see made: its open transactions must not go on.
                boolean leftBehind = applied != 0 && state.routeChanges() != routeChanges;
                migration.changeCanaryPercent(state.canaryPercent());
                migration.changeTenantReads(tenantReads);
                migration.changeShadowing(state.shadow());
                migration.changeDatabases(databases);
                migration.changePolicy(policy);
                migration.changePhase(phase);
                applied = state.version();
                routeChanges = state.routeChanges();
                if (leftBehind && !sessions.holdsEveryTransaction()) {
                    leaveBehindOpenTransactions(phase);
                }
            }
            heartbeat();
        }).onFailure(failure -> LOG.errorf("Control: version %d of fleet \"%s\" needs two-phase commit, which this "
                + "replica cannot use (%s); keeping version %d", state.version(), config.fleet(), failure.getMessage(),
                applied));
    }

    /**
     * Reports this replica alive with the version it applied; the same statement answers the fleet's version. Equal,
     * the lease is confirmed from the moment the heartbeat was sent; newer, the replica reads the state.
     *
     * @return whether it confirmed the lease
     */
    private Future<Boolean> heartbeat() {
        if (heldByTest()) {
            return Future.failedFuture("held back by exodus.control.test-hold-file");
        }
        long sentAt = System.nanoTime();
        long reported = applied;
        return pool().preparedQuery(ControlSql.HEARTBEAT).execute(Tuple.of(config.fleet(), replicaId,
                migration.phase().configName(), migration.policy().configName(), reported, report.counters()))
                .map(rows -> {
                    Long fleetVersion = rows.iterator().next().getLong(0);
                    // No state row: nothing this replica could be behind of, as long as it applied none either.
                    if (fleetVersion == null ? reported == 0 : fleetVersion == reported) {
                        migration.lease().confirm(sentAt);
                        noteStaleness();
                        return true;
                    }
                    if (fleetVersion > reported) {
                        refresh();
                    }
                    return false;
                })
                .onFailure(failure -> LOG.debugf("Control: heartbeat failed: %s", failure.getMessage()));
    }

    /**
     * The fleet moved the primary or started mirroring writes (once or more) since the state this replica applied
     * last. A replica that held the fleet's pause for it has no transaction open: its sessions were held between
     * transactions and follow the new phase. A replica that was not counted live then (its control connection failed
     * for three heartbeats) may have sessions in a transaction routed by the route the fleet left; they are refused at
     * their next request and rolled back, never carried on by a route the rest of the fleet no longer uses.
     */
    private void leaveBehindOpenTransactions(MigrationPhase phase) {
        LOG.warnf("Control: fleet \"%s\" moved to phase %s by a change this replica did not hold a pause for: its "
                + "sessions not between two transactions are refused (57P03) at their next request", config.fleet(),
                phase.configName());
        sessions.leaveBehindOpenTransactions();
    }

    /** Says in the log when this replica becomes stale, and when it is no longer. */
    private synchronized void noteStaleness() {
        boolean stale = stale();
        if (stale == reportedStale) {
            return;
        }
        reportedStale = stale;
        if (stale) {
            LOG.warnf("Control: this replica could not confirm the state of fleet \"%s\" for %d ms "
                    + "(exodus.control.stale-after): it serves reads in phase %s, its last state (version %d), and "
                    + "serves a write only once a read sent for it confirms the state, else refuses it with 57P03; "
                    + "check that it reaches the source",
                    config.fleet(), config.staleAfter().toMillis(), migration.phase().configName(), applied);
        } else {
            LOG.infof("Control: the state of fleet \"%s\" is confirmed again (version %d, phase %s): writes are "
                    + "served", config.fleet(), applied, migration.phase().configName());
        }
    }

    /** The test hook {@code exodus.control.test-hold-file}: while its file exists, this replica reads nothing. */
    private boolean heldByTest() {
        return config.testHoldFile().map(Files::exists).orElse(false);
    }

    private static ControlState stateOf(RowSet<Row> rows) {
        if (!rows.iterator().hasNext()) {
            return null;
        }
        Row row = rows.iterator().next();
        return new ControlState(row.getString(0), row.getString(1), row.getDouble(2), row.getLong(3),
                row.getString(4), row.getString(5), row.getLong(6), row.getString(7), row.getBoolean(8),
                row.getString(9));
    }

    /**
     * Whether a change of the migration's databases moves some session in a phase that uses the target: one on a
     * database it adds starts mirroring (or moves to the target), which a transaction must not straddle.
     */
    private static boolean movesSessions(ControlState before, String databases) {
        try {
            return MigrationPhase.fromConfig(before.phase()).usesTarget()
                    && !MigrationDatabases.parse(before.databases()).equals(MigrationDatabases.parse(databases));
        } catch (IllegalArgumentException unknown) {
            return true;
        }
    }

    /** Whether a change from phase {@code from} to {@code to} (as stored) keeps open transactions right. */
    private static boolean routeCovers(String from, String to) {
        try {
            return MigrationPhase.fromConfig(from).routeCovers(MigrationPhase.fromConfig(to));
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /** The control database: the source's database that its URL names. */
    Pool pool() {
        return connections.to(endpoints.source());
    }

    /** The fleet this replica belongs to. */
    String fleet() {
        return config.fleet();
    }

    /** How long a replica counts as live after its last heartbeat. */
    long liveMillis() {
        return 3 * config.heartbeatInterval().toMillis();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return "localhost";
        }
    }
}
