package io.exodus.proxy.catchup;

import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.TcpKeepalive;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.tls.BackendTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies the queued transactions of one {@link CatchUpQueue} to its destination, per database, in queue order, each
 * as one transaction with its session context, and deletes an entry only after its apply committed. One proxy at a
 * time replays a database's queue (a session-level advisory lock on the queue's home); when it dies, its lock goes
 * with its connection and another proxy takes over. Runs on an event loop of its own.
 */
final class QueueReplay {
    private static final Logger LOG = Logger.getLogger(QueueReplay.class);
    /** How often a move of the primary, paused, reads the queues again while they drain. */
    private static final long DRAIN_RECHECK_MILLIS = 50;
    /** Every database's commit markers are read at least this often (in polls), whoever wrote them. */
    private static final int OUTCOMES_SWEEP_EVERY_POLLS = 30;

    private final Vertx vertx;
    private final ExodusConfig config;
    private final CatchUpQueue queue;
    private final DivergenceLog divergences;
    private final MigrationState migration;
    private final Map<String, DatabaseCatchUp> replays = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final CatchUpBackoff backoff;
    private final CommitOutcomes outcomes;
    /** Polls since the start, on this replayer's context. */
    private long polls;
    private Context context;
    private BackendConnector destinationConnector;
    private ReplayLocks locks;
    private volatile boolean stopped;

    QueueReplay(Vertx vertx, ExodusConfig config, CatchUpQueue queue, DivergenceLog divergences,
            MigrationState migration) {
        this.vertx = vertx;
        this.config = config;
        this.queue = queue;
        this.divergences = divergences;
        this.migration = migration;
        this.backoff = new CatchUpBackoff(config.replay().backoffBase(), config.replay().backoffCap(),
                config.replay().jitter());
        this.outcomes = new CommitOutcomes(queue, this::secondaryOnly);
        if (config.replay().pipelineDepth() < 1) {
            throw new IllegalArgumentException("exodus.replay.pipeline-depth must be at least 1 (1: one transaction "
                    + "per round trip), not " + config.replay().pipelineDepth());
        }
    }

    void start(Duration connectTimeout) {
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            destinationConnector = new BackendConnector(vertx.createNetClient(BackendTls.clientOptions(
                    queue.destination().url(), connectTimeout)), queue.destination(),
                    config.protocol().maxMessageSize(), TcpKeepalive.of(config.tcp()));
            locks = new ReplayLocks(vertx, queue.connections().options(queue.home(),
                    queue.home().url().database()));
            queue.startPolling(() -> context.runOnContext(x -> kickAll()));
            discover(true);
        });
    }

    /**
     * Queues left by an earlier run (of this proxy or another) are replayed without waiting for a client. An empty one
     * is left until a session needs it, and so is its database: a connection held to every database would keep each
     * from being dropped, and a database dropped and made again meanwhile would leave a queue known here that is gone
     * there. The URL's database keeps its connection: the queue lists the databases and the replayers lock there.
     * A move of the primary asks again before its pause ({@link CatchUpApplier#discover}).
     *
     * @param readOutcomes also read the commit markers of every database with a queue ({@link CommitOutcomes}): at
     *                     start-up, when a proxy stopped between two COMMITs may have left one where nobody writes now;
     *                     not before a switch's pause, where each database's connection to the other side would cost
     *                     clients waiting time
     * @return the tables marked divergent there ({@code database.table}), which hold a move of the primary back
     */
    Future<List<String>> discover(boolean readOutcomes) {
        // The home's databases: any may hold a queue from an earlier run.
        List<DatabaseQueue> knownBefore = List.copyOf(queue.databases());
        return queue.connections().databases(queue.home()).compose(databases -> {
            forgetDropped(knownBefore, databases);
            List<Future<List<String>>> checks = new ArrayList<>();
            databases.forEach(database -> checks.add(discover(database, readOutcomes)));
            return Future.all(checks).map(all -> all.<List<String>>list().stream().flatMap(List::stream).toList());
        }).onFailure(failure -> LOG.warnf("Could not look for replay queues in the %s's databases: %s",
                queue.homeSide().configName(), failure.getMessage()));
    }

    /**
     * Forgets the databases known before the home listed its databases that it no longer has (dropped outside Exodus):
     * what their queues held went with them, and their last depth would hold every move of the primary back until a
     * poll found them gone. One that became known while the list was read may be newer than the list: it stays.
     */
    private void forgetDropped(List<DatabaseQueue> knownBefore, List<String> existing) {
        for (DatabaseQueue known : knownBefore) {
            if (!existing.contains(known.database)) {
                queue.forgetGone(known);
            }
        }
    }

    /** The tables marked divergent in {@code database}, each named {@code database.table}. */
    private Future<List<String>> discover(String database, boolean readOutcomes) {
        var pool = queue.connections().to(queue.home(), database);
        return pool.query(CatchUpQueueSql.STATE_TABLES).execute()
                .compose(tables -> {
                    Row exist = tables.iterator().next();
                    if (exist.getBoolean(0)) {
                        return pool.query(CatchUpQueueSql.QUEUE_STATE).execute()
                                .map(state -> DatabaseState.of(database, state.iterator().next()))
                                .compose(state -> readOutcomes ? outcomes.read(database).map(state)
                                        : Future.succeededFuture(state));
                    }
                    // Marks a verification made where no queue was ever created.
                    return exist.getBoolean(1) ? pool.query(CatchUpQueueSql.MARKS_STATE).execute()
                            .map(state -> DatabaseState.of(database, state.iterator().next()))
                            : Future.succeededFuture(DatabaseState.NOTHING);
                })
                .recover(failure -> queue.droppedUnder(database, failure).compose(dropped -> dropped
                        ? Future.succeededFuture(DatabaseState.NOTHING) : Future.failedFuture(failure)))
                .compose(state -> {
                    if (state.holdsEntries()) {
                        return queue.ready(database).onSuccess(v -> context.runOnContext(x -> kick(database)))
                                .map(state.marked());
                    }
                    if (!queue.inUse(database) && !database.equals(queue.home().url().database())) {
                        queue.letGo(database);
                    }
                    return Future.succeededFuture(state.marked());
                });
    }

    /** What discovery found in one database's queue. */
    private record DatabaseState(boolean holdsEntries, List<String> marked) {
        static final DatabaseState NOTHING = new DatabaseState(false, List.of());

        static DatabaseState of(String database, Row row) {
            List<String> marked = new ArrayList<>();
            for (String table : row.getArrayOfStrings(1)) {
                marked.add(database + "." + table);
            }
            return new DatabaseState(row.getBoolean(0), marked);
        }
    }

    /** See {@link CatchUpApplier#drainedBefore}. */
    Future<Void> drainedBefore(long deadlineNanos) {
        List<Future<Void>> polls = new ArrayList<>();
        for (DatabaseQueue known : queue.databases()) {
            if (known.tableReady) {
                polls.add(queue.pollOrForget(known));
            }
        }
        return Future.all(polls).compose(polled -> {
            long depth = 0;
            long parked = 0;
            for (DatabaseQueue known : queue.databases()) {
                depth += known.depth;
                parked += known.parked;
            }
            if (parked > 0) {
                return Future.failedFuture(new IllegalStateException(parked + " transactions are parked in the "
                        + "replay queue: the " + destinationName() + " does not have them. Resolve them first (GET "
                        + "/exodus/migration lists them)"));
            }
            if (depth == 0) {
                return Future.succeededFuture();
            }
            if (System.nanoTime() >= deadlineNanos) {
                return Future.failedFuture(new IllegalStateException(depth + " transactions still wait in the "
                        + "replay queue: the " + destinationName() + " does not have every write yet"));
            }
            context.runOnContext(x -> kickAll());
            Promise<Void> again = Promise.promise();
            vertx.setTimer(DRAIN_RECHECK_MILLIS, id -> drainedBefore(deadlineNanos).onComplete(again));
            return again.future();
        });
    }

    private void kickAll() {
        polls++;
        for (DatabaseQueue known : queue.databases()) {
            if (known.depth > 0) {
                kick(known.database);
            }
            // Markers this proxy wrote, or left unread, every poll; every database's now and then, for the markers a
            // replica that stopped for good left behind.
            if (known.markersReady && known.outcomesReadable && !stopped
                    && (known.outcomesPending || polls % OUTCOMES_SWEEP_EVERY_POLLS == 0)) {
                known.outcomesPending = false;
                outcomes.read(known.database).onSuccess(left -> {
                    if (left) {
                        known.outcomesPending = true;
                    }
                });
            }
        }
    }

    private void secondaryOnly(String database, long marker, long primaryXid, String outcome, List<String> tables) {
        String primary = queue.homeSide().configName();
        String secondary = destinationName();
        LOG.errorf("A transaction of \"%s\" committed on the %s only: the %s's transaction %d %s after it (the "
                + "proxy stopped between the two COMMITs, or the %s's COMMIT failed); no client was told it committed. "
                + "Tables marked divergent: %s. Verify and repair them (POST /exodus/migration/verify, then "
                + "/exodus/migration/repair)", database, secondary, primary, primaryXid, outcome, primary,
                tables == null ? "none (the policy records no statements: verify every table)"
                        : tables.isEmpty() ? "none named by its statements" : String.join(", ", tables));
        divergences.record(Divergence.Kind.COMMIT_FAILED, migration.policy(), "COMMIT in " + database,
                "transaction " + primaryXid + " " + outcome + " on the " + primary,
                "committed on the " + secondary + " (commit marker " + marker + ")");
    }

    /** Makes sure the database's queue is being worked on (no-op when it is). */
    void kick(String database) {
        if (stopped) {
            return;
        }
        replays.computeIfAbsent(database, db -> new DatabaseCatchUp(this, db)).kick();
    }

    // ---- what DatabaseCatchUp needs --------------------------------------------------------------------------------

    Vertx vertx() {
        return vertx;
    }

    Context context() {
        return context;
    }

    CatchUpQueue queue() {
        return queue;
    }

    ReplayLocks locks() {
        return locks;
    }

    CatchUpBackoff backoff() {
        return backoff;
    }

    /** The most queued transactions sent to the destination in one write ({@link PipelinedApply}). */
    int pipelineDepth() {
        return config.replay().pipelineDepth();
    }

    int maxAttempts() {
        return config.replay().maxAttempts();
    }

    int maxMessageSize() {
        return config.protocol().maxMessageSize();
    }

    boolean stopped() {
        return stopped;
    }

    BackendConnector destinationConnector() {
        return destinationConnector;
    }

    /** The side the entries are applied to, as log lines name it. */
    String destinationName() {
        return queue.homeSide().other().configName();
    }

    /** The proxy's own login on the destination: its URL's user and password. */
    BackendLogin controlLogin(String database) {
        PostgresUrl url = queue.destination().url();
        BackendCredential credential = url.password() == null || url.password().isEmpty()
                ? new BackendCredential.None() : new BackendCredential.Password(url.password());
        return new BackendLogin(url.user(), database, credential, Map.of("application_name", "exodus-replay"));
    }

    String controlUser() {
        return queue.destination().url().user();
    }

    void applied(int count) {
        applied.addAndGet(count);
    }

    void failed() {
        failures.incrementAndGet();
    }

    void divergence(Divergence.Kind kind, String database, long id, String expected, String got) {
        divergences.record(kind, migration.policy(), "replay of queued transaction " + id + " in " + database,
                expected, got);
    }

    // ---- status ------------------------------------------------------------------------------------------------

    double depth() {
        return queue.totalDepth();
    }

    double oldestAgeSeconds() {
        return queue.oldestAgeSeconds();
    }

    double parked() {
        long parked = 0;
        for (DatabaseQueue known : queue.databases()) {
            parked += known.parked;
        }
        return parked;
    }

    long appliedCount() {
        return applied.get();
    }

    long failureCount() {
        return failures.get();
    }

    Future<CatchUpStatus> status() {
        List<CatchUpStatus.DatabaseStatus> databases = queue.databaseStatuses();
        long depth = 0;
        long parked = 0;
        double oldest = 0;
        for (CatchUpStatus.DatabaseStatus db : databases) {
            depth += db.depth();
            parked += db.parked();
            oldest = Math.max(oldest, db.oldestAgeSeconds());
        }
        long totalDepth = depth;
        long totalParked = parked;
        double oldestAge = oldest;
        List<Future<List<String>>> tables = new ArrayList<>();
        for (CatchUpStatus.DatabaseStatus db : databases) {
            tables.add(queue.connections().to(queue.home(), db.database())
                    .query(CatchUpQueueSql.DIVERGENT_TABLES).execute()
                    .map(rows -> {
                        List<String> names = new ArrayList<>();
                        rows.forEach(row -> names.add(db.database() + "." + row.getString(0)));
                        return names;
                    }).otherwise(List.of()));
        }
        return Future.join(new ArrayList<>(tables)).map(all -> {
            List<String> divergent = new ArrayList<>();
            tables.forEach(f -> divergent.addAll(f.result() == null ? List.of() : f.result()));
            return new CatchUpStatus(totalDepth, oldestAge, totalParked, applied.get(), failures.get(), databases,
                    divergent);
        });
    }

    void stop() {
        stopped = true;
        replays.values().forEach(DatabaseCatchUp::close);
        if (context != null) {
            context.runOnContext(v -> {
                if (locks != null) {
                    locks.close();
                }
            });
        }
    }
}
