package io.exodus.proxy.catchup;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The durable replay queue of one database side, its home, as the sessions of this proxy use it while that side is
 * the primary: whether a database's transactions must go to the queue, the statement that queues one, and the queue's
 * depth, read every {@code exodus.replay.poll-interval} for every database this proxy writes to. Its entries are what
 * the other side, the destination, missed; {@link QueueReplay} applies them there. The source is the home before the
 * cutover and the target after it (see {@link CatchUpApplier}).
 */
public final class CatchUpQueue {
    private static final Logger LOG = Logger.getLogger(CatchUpQueue.class);
    private static final long RETRY_READY_AFTER_MILLIS = 30_000;
    private static final int PURGE_EVERY_POLLS = 30;
    private static final int MARKER_RETRY_EVERY_POLLS = 5;
    /** A write waits for its database's queue to drain only when it holds at most this many entries. */
    private static final long DRAIN_WAIT_BELOW = 64;
    /** A write waits for its database's queue to drain only when the queue's oldest entry is younger than this. */
    private static final double DRAIN_WAIT_OLDEST_SECONDS = 2;
    /** After a wait for the queue to drain ran out, writes join the queue without waiting for this long. */
    private static final long DRAIN_WAIT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Vertx vertx;
    private final ExodusConfig.Replay config;
    private final BackendEndpoint home;
    private final BackendEndpoint destination;
    private final Side homeSide;
    private final String proxyId;
    private final MigrationState migration;
    private final Map<String, DatabaseQueue> databases = new ConcurrentHashMap<>();
    private final Map<String, Future<Void>> ready = new ConcurrentHashMap<>();
    private CatchUpSignature signature;
    private ControlConnections connections;
    private long pollTimer = -1;
    private long polls;
    private volatile Runnable afterPoll = () -> {
    };

    CatchUpQueue(Vertx vertx, ExodusConfig config, Side homeSide, BackendEndpoint home, BackendEndpoint destination,
            MigrationState migration) {
        this.vertx = vertx;
        this.config = config.replay();
        this.homeSide = homeSide;
        this.home = home;
        this.destination = destination;
        this.proxyId = config.migration().proxyId().orElse("exodus");
        this.migration = migration;
    }

    /** The side whose databases hold this queue: the primary of the transactions it takes. */
    public Side homeSide() {
        return homeSide;
    }

    public ExodusConfig.Replay config() {
        return config;
    }

    synchronized ControlConnections connections() {
        if (connections == null) {
            connections = new ControlConnections(vertx);
        }
        return connections;
    }

    synchronized CatchUpSignature signature() {
        if (signature == null) {
            // Signed for one direction: an entry copied into the other side's queue would not verify there.
            signature = CatchUpSignature.of(config.signingKey().orElse(null), home.url().toString(),
                    destination.url().toString());
        }
        return signature;
    }

    BackendEndpoint home() {
        return home;
    }

    BackendEndpoint destination() {
        return destination;
    }

    /**
     * Completes when the database's queue table exists and its depth has been read once; a failure is not
     * remembered, so the next call tries again.
     */
    public Future<Void> ready(String database) {
        Future<Void> known = ready.get(database);
        if (known != null && known.isComplete()) {
            return known;
        }
        // Ready (and asked by sessions) only once the depth is known: a session asking in between would take the
        // unknown depth for a queue with entries and queue its transaction for nothing.
        Future<Void> result = ready.computeIfAbsent(database, db -> createTable(db).compose(v -> poll(state(db)))
                .onSuccess(v -> {
                    state(db).tableReady = true;
                    createMarkers(state(db));
                }));
        result.onFailure(failure -> {
            // Kept for a while: every write of every session would try again otherwise.
            vertx.setTimer(RETRY_READY_AFTER_MILLIS, id -> ready.remove(database, result));
            LOG.errorf("The replay queue of database \"%s\" on the %s is not usable (%s); transactions the %s "
                    + "misses are counted as divergences until it is", database, homeSide.configName(),
                    failure.getMessage(), homeSide.other().configName());
        });
        return result;
    }

    /**
     * Stops polling the database and closes the connections to it on both sides, ahead of a {@code DROP DATABASE}
     * that they would keep from running (55006). Its next session makes it known again; entries it still holds stay in
     * its queue table, found again then, or dropped with it.
     */
    public Future<Void> letGo(String database) {
        databases.remove(database);
        ready.remove(database);
        return connections().close(database);
    }

    /** Whether a session of this proxy made the database's queue known. */
    boolean inUse(String database) {
        return ready.containsKey(database);
    }

    private Future<Void> createTable(String database) {
        var pool = connections().to(home(), database);
        return pool.query(CatchUpQueueSql.QUEUE_EXISTS).execute().compose(rows -> {
            if (rows.iterator().next().getBoolean(0)) {
                return pool.query(CatchUpQueueSql.GRANT_ID).execute().<Void>mapEmpty();
            }
            return pool.query(CatchUpQueueSql.CREATE_QUEUE).execute().<Void>mapEmpty().recover(failure ->
                    failure instanceof PgException pg && SqlState.UNIQUE_VIOLATION.equals(pg.getSqlState())
                            ? pool.query(CatchUpQueueSql.CREATE_QUEUE).execute().mapEmpty()
                            : Future.failedFuture(failure));
        });
    }

    /** The secondary's marker tables; tried again at each poll while the secondary is unreachable. */
    Future<Void> createMarkers(DatabaseQueue queue) {
        if (queue.markersReady) {
            return Future.succeededFuture();
        }
        Future<Void> inFlight = queue.markersCreation;
        if (inFlight != null && !inFlight.isComplete()) {
            return inFlight;
        }
        var pool = connections().to(destination(), queue.database);
        Future<Void> creation = pool.query(CatchUpQueueSql.MARKERS_EXIST).execute().compose(rows -> rows.iterator().next().getBoolean(0)
                ? Future.<Void>succeededFuture()
                : pool.query(CatchUpQueueSql.CREATE_MARKERS).execute().<Void>mapEmpty())
                .compose(v -> connections().to(home(), queue.database).query(CatchUpQueueSql.OUTCOMES_READABLE)
                        .execute())
                .onSuccess(rows -> {
                    queue.outcomesReadable = rows.iterator().next().getBoolean(0);
                    queue.markersReady = true;
                })
                .<Void>mapEmpty()
                .onFailure(failure -> LOG.debugf("The commit markers of \"%s\" on the %s are not usable yet: %s",
                        queue.database, homeSide.other().configName(), failure.getMessage()));
        queue.markersCreation = creation;
        return creation;
    }

    /**
     * Whether a live transaction's COMMIT on the secondary can carry its marker, once the marker tables that this
     * proxy is making are there: the first transactions of a database would commit without one otherwise. Completes
     * on the control pool's event loop.
     */
    public Future<Boolean> commitMarkersMade(String database) {
        DatabaseQueue queue = databases.get(database);
        if (queue == null || queue.markersReady) {
            return Future.succeededFuture(queue != null);
        }
        Future<Void> inFlight = queue.markersCreation;
        return inFlight == null ? Future.succeededFuture(false)
                : inFlight.map(v -> queue.markersReady).otherwise(false);
    }

    /**
     * Whether a live transaction's COMMIT on the secondary can carry its marker. Without one, a COMMIT whose answer
     * is lost cannot be queued (it might have committed) and counts as a divergence.
     */
    public boolean commitMarkersReady(String database) {
        DatabaseQueue queue = databases.get(database);
        return queue != null && queue.markersReady;
    }

    /**
     * Whether a live transaction's marker can name the primary's transaction, so that {@link CommitOutcomes} finds it
     * should the primary not commit after the secondary did.
     */
    public boolean primaryOutcomesReadable(String database) {
        DatabaseQueue queue = databases.get(database);
        return queue != null && queue.markersReady && queue.outcomesReadable;
    }

    /** A live transaction's marker named the primary's transaction: the next poll reads what became of it. */
    public void outcomeToRead(String database) {
        DatabaseQueue queue = databases.get(database);
        if (queue != null) {
            queue.outcomesPending = true;
        }
    }

    /** A marker INSERT failed on the secondary (the table was dropped): make it again before the next use. */
    public void commitMarkersLost(String database) {
        DatabaseQueue queue = databases.get(database);
        if (queue != null) {
            queue.markersReady = false;
        }
    }

    DatabaseQueue state(String database) {
        return databases.computeIfAbsent(database, DatabaseQueue::new);
    }

    Collection<DatabaseQueue> databases() {
        return databases.values();
    }

    /** Whether a transaction in the database must go to the queue instead of the secondary (see DatabaseQueue). */
    public boolean mustQueue(String database) {
        DatabaseQueue queue = databases.get(database);
        return queue != null && queue.tableReady && queue.mustQueue();
    }

    /**
     * Whether a transaction of the database can be queued: its queue table is there (sessions wait for
     * {@link #ready} before their first write) and has room (bounded growth, see {@link #hasRoom}).
     */
    public boolean canQueue(String database) {
        DatabaseQueue queue = databases.get(database);
        return queue != null && queue.tableReady && hasRoom(database);
    }

    /**
     * Whether a write that would join the database's queue should rather wait for it to drain: the queue is nearly
     * empty (at most {@link #DRAIN_WAIT_BELOW} entries, the oldest younger than two seconds) and no such wait ran out
     * lately. Under a steady stream of writes a queue is never seen empty (each poll finds a write queued after it
     * began), and the database's writes would all go through the queue for as long as the stream lasts.
     */
    public boolean worthWaitingForDrain(String database) {
        DatabaseQueue queue = databases.get(database);
        long waitMillis = config.drainWait().toMillis();
        // An oldest entry older than a few seconds is being retried (or the replay is far behind): waiting would not
        // see the queue drain, only slow the database's writes down.
        return queue != null && queue.tableReady && waitMillis > 0 && queue.mustQueue()
                && queue.depth <= DRAIN_WAIT_BELOW && queue.oldestAgeSeconds <= DRAIN_WAIT_OLDEST_SECONDS
                && (queue.drainMissedNanos == Long.MIN_VALUE
                        || System.nanoTime() - queue.drainMissedNanos > DRAIN_WAIT_PAUSE_NANOS);
    }

    /**
     * Completes with true once a poll sees the database's queue drained (nothing queued, nothing queued since the poll
     * began), with false after {@code exodus.replay.drain-wait}. The queue is polled at once, and the proxy replaying
     * it polls again as soon as it finds it empty, so that the writes waiting go on without waiting for the interval.
     */
    public Future<Boolean> drained(String database) {
        DatabaseQueue queue = databases.get(database);
        if (queue == null || !queue.mustQueue()) {
            return Future.succeededFuture(true);
        }
        Promise<Boolean> waiter = Promise.promise();
        boolean first = queue.drainWaiters.isEmpty();
        queue.drainWaiters.add(waiter);
        if (first) {
            // A poll that begins now begins after every write this proxy queued: it sees the queue drained if it is;
            // if not, the replayer (when this proxy holds the queue) is set going at once, not at its next poll. The
            // writes that wait with this one are released by the same poll.
            poll(queue).onComplete(polled -> afterPoll.run());
        }
        long timer = vertx.setTimer(config.drainWait().toMillis(), id -> {
            if (queue.drainWaiters.remove(waiter)) {
                queue.drainMissedNanos = System.nanoTime();
                waiter.tryComplete(false);
            }
        });
        return waiter.future().onComplete(done -> vertx.cancelTimer(timer));
    }

    /** A transaction of the database will be queued when it ends; until then nothing may overtake it. */
    public void queueing(String database) {
        state(database).queueing.incrementAndGet();
    }

    /** A transaction {@link #queueing} ended: committed with its entry ({@code enqueued}) or rolled back. */
    public void queueingEnded(String database, boolean enqueued) {
        DatabaseQueue queue = state(database);
        if (enqueued) {
            queue.lastEnqueueNanos = System.nanoTime();
        }
        queue.queueing.decrementAndGet();
    }

    /**
     * An entry this proxy did not see queued may have just committed (a client's COMMIT PREPARED of a transaction
     * that was prepared with its entry): the database's sessions queue until a poll that started after now.
     */
    public void entryMayHaveCommitted(String database) {
        state(database).lastEnqueueNanos = System.nanoTime();
    }

    /**
     * Whether the queue has room (bounded growth): a transaction the secondary missed when it has none is not
     * queued; its statement is recorded as a divergence instead.
     */
    public boolean hasRoom(String database) {
        DatabaseQueue queue = databases.get(database);
        return queue == null
                || queue.depth < config.maxEntries() && queue.oldestAgeSeconds < config.maxAge().toSeconds();
    }

    /**
     * The id of a database's next queue entry, drawn on the proxy's own connection to the primary: call it once the
     * transaction's last write has been answered (see {@link CatchUpQueueSql}).
     */
    public Future<Long> nextEntryId(String database) {
        return connections().to(home(), database).query(CatchUpQueueSql.NEXT_ID).execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .onFailure(failure -> {
                    if (failure instanceof PgException pg && SqlState.UNDEFINED_TABLE.equals(pg.getSqlState())) {
                        // The database was dropped and made again outside Exodus: its queue is made again when next
                        // asked for.
                        ready.remove(database);
                        databases.remove(database);
                    }
                });
    }

    /** The INSERT that queues a transaction recording as entry {@code id}, for the primary to run inside it. */
    public String insertSql(long id, TransactionRecording recording, String context) {
        byte[] stream = recording.stream().getBytes();
        byte[] signed = signature().sign(context, stream, recording.readyCount(), recording.expectedTags(),
                recording.commitMarker());
        return CatchUpQueueSql.insert(id, proxyId, context, stream, recording.readyCount(), recording.expectedTags(),
                recording.commitMarker(), signed, recording.tables());
    }

    /** Reads the depth of every known database's queue every poll interval, from now on. */
    synchronized void startPolling(Runnable afterEachPoll) {
        if (pollTimer >= 0) {
            return;
        }
        this.afterPoll = afterEachPoll;
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> pollAll());
    }

    void pollAll() {
        long poll = ++polls;
        boolean purge = poll % PURGE_EVERY_POLLS == 0;
        boolean retryMarkers = poll % MARKER_RETRY_EVERY_POLLS == 0;
        List<Future<Void>> reads = new ArrayList<>();
        for (DatabaseQueue queue : List.copyOf(databases.values())) {
            if (queue.tableReady) {
                reads.add(pollOrForget(queue));
                if (!queue.markersReady) {
                    if (retryMarkers) {
                        // Not at every poll: while the target is down each try waits for a connect timeout.
                        createMarkers(queue);
                    }
                } else if (purge) {
                    purgeMarkers(queue);
                }
            }
        }
        Future.join(reads).onComplete(done -> {
            letGoOfDrainedWhileNotMirroring();
            afterPoll.run();
        });
    }

    /**
     * In a phase that writes one database only, no session queues: a queue with nothing left in it need not be polled,
     * and the connection its polls hold would make a {@code DROP DATABASE} of its database fail with 55006. A return
     * to dual-write makes it known again at its database's first write.
     */
    private void letGoOfDrainedWhileNotMirroring() {
        if (migration.phase().writesBothDatabases()) {
            return;
        }
        for (DatabaseQueue queue : List.copyOf(databases.values())) {
            if (queue.tableReady && queue.depth == 0 && queue.parked == 0 && queue.queueing.get() == 0) {
                letGo(queue.database);
            }
        }
    }

    /** Deletes old commit markers that no queue entry refers to (any proxy may; they all delete the same rows). */
    private void purgeMarkers(DatabaseQueue queue) {
        connections().to(home(), queue.database).query(CatchUpQueueSql.REFERENCED_MARKERS).execute()
                .compose(rows -> {
                    List<Long> referenced = new ArrayList<>();
                    rows.forEach(row -> referenced.add(row.getLong(0)));
                    return connections().to(destination(), queue.database).preparedQuery(CatchUpQueueSql.PURGE_COMMIT_MARKERS)
                            .execute(Tuple.of(referenced.toArray(Long[]::new)));
                })
                .onFailure(failure -> LOG.debugf("Could not purge the commit markers of \"%s\": %s", queue.database,
                        failure.getMessage()));
    }

    Future<Void> poll(DatabaseQueue queue) {
        long started = System.nanoTime();
        return connections().to(home(), queue.database).query(CatchUpQueueSql.DEPTH).execute().map(rows -> {
            Row row = rows.iterator().next();
            queue.depth = row.getLong(0);
            queue.parked = row.getLong(1);
            queue.oldestAgeSeconds = row.getValue(2) == null ? 0 : row.getNumeric(2).doubleValue();
            queue.polledAtNanos = started;
            if (!queue.mustQueue()) {
                queue.releaseDrainWaiters();
            }
            return (Void) null;
        }).onFailure(failure -> LOG.debugf("Could not read the replay queue of \"%s\": %s", queue.database,
                failure.getMessage()));
    }

    /**
     * Reads the queue's depth; a database dropped (or its queue with it) holds nothing any more and is forgotten: its
     * last depth would otherwise stay in the status, and hold every move of the primary back, for as long as this
     * proxy runs.
     */
    Future<Void> pollOrForget(DatabaseQueue queue) {
        return poll(queue).recover(failure -> droppedUnder(queue.database, failure)
                .compose(dropped -> dropped ? forgetGone(queue) : Future.failedFuture(failure)));
    }

    /**
     * Whether a read in the database failed because the database, or its queue table, is gone. A database dropped as
     * it was read can fail otherwise than with 3D000: its connection terminated by {@code DROP … WITH (FORCE)}, or its
     * pool closed by a poll that found it gone first; the home's list of databases tells then.
     */
    Future<Boolean> droppedUnder(String database, Throwable failure) {
        if (gone(failure)) {
            return Future.succeededFuture(true);
        }
        return connections().databases(home()).map(listed -> !listed.contains(database)).otherwise(false);
    }

    /**
     * Forgets the queue of a database that is gone, saying so when it held entries; not when a session made the
     * database's queue known again meanwhile (a database of the same name, made anew).
     */
    Future<Void> forgetGone(DatabaseQueue queue) {
        if (databases.get(queue.database) != queue) {
            return Future.succeededFuture();
        }
        if (queue.depth > 0 || queue.parked > 0) {
            LOG.warnf("Database \"%s\" (or its replay queue) is gone with %d transactions queued and %d parked "
                    + "in it: forgotten", queue.database, queue.depth, queue.parked);
        }
        return letGo(queue.database);
    }

    /** Whether a read failed because its database, or the queue table in it, no longer exists. */
    private static boolean gone(Throwable failure) {
        return failure instanceof PgException pg && (SqlState.UNDEFINED_TABLE.equals(pg.getSqlState())
                || SqlState.INVALID_CATALOG_NAME.equals(pg.getSqlState()));
    }

    /** Marks a table divergent in the database's queue schema, for status and for the user to repair. */
    public Future<Void> markDivergent(String database, String table, String reason) {
        return connections().to(home(), database).preparedQuery(CatchUpQueueSql.MARK_DIVERGENT)
                .execute(Tuple.of(table, reason)).mapEmpty();
    }

    /** The queue of each database this proxy knows, as status and metrics show it. */
    public List<CatchUpStatus.DatabaseStatus> databaseStatuses() {
        List<CatchUpStatus.DatabaseStatus> result = new ArrayList<>();
        for (DatabaseQueue queue : databases.values()) {
            result.add(new CatchUpStatus.DatabaseStatus(queue.database, homeSide.configName(), queue.depth, queue.parked,
                    queue.oldestAgeSeconds, queue.mustQueue()));
        }
        return result;
    }

    long totalDepth() {
        long depth = 0;
        for (DatabaseQueue queue : databases.values()) {
            depth += queue.depth;
        }
        return depth;
    }

    double oldestAgeSeconds() {
        double oldest = 0;
        for (DatabaseQueue queue : databases.values()) {
            oldest = Math.max(oldest, queue.oldestAgeSeconds);
        }
        return oldest;
    }

    synchronized void stop() {
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
            pollTimer = -1;
        }
        if (connections != null) {
            connections.close();
        }
    }
}
