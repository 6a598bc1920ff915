package io.exodus.proxy.catchup;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The catch-up of what the secondary missed, in both directions. A transaction the secondary misses is queued inside
 * the primary's own transaction, so each side holds a queue of its own: the source's, replayed into the target, while
 * the source is the primary, and the target's, replayed into the source, after the cutover. A move of the primary
 * waits for every queue to drain ({@link #drainedBefore}), so at most one of them takes entries at a time; both are
 * polled and replayed all the same, so that entries an earlier run left on either side still reach the other.
 * Without a target there is nothing to catch up.
 */
@ApplicationScoped
public class CatchUpApplier {
    private final ExodusConfig config;
    private final Map<Side, CatchUpQueue> queues = new EnumMap<>(Side.class);
    private final Map<Side, QueueReplay> replays = new EnumMap<>(Side.class);

    public CatchUpApplier(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, DivergenceLog divergences,
            MigrationState migration) {
        this.config = config;
        endpoints.target().ifPresent(target -> {
            for (Side home : Side.values()) {
                BackendEndpoint homeEndpoint = home == Side.SOURCE ? endpoints.source() : target;
                BackendEndpoint destination = home == Side.SOURCE ? target : endpoints.source();
                CatchUpQueue queue = new CatchUpQueue(vertx, config, home, homeEndpoint, destination, migration);
                queues.put(home, queue);
                replays.put(home, new QueueReplay(vertx, config, queue, divergences, migration));
            }
        });
    }

    void onStart(@Observes StartupEvent event) {
        replays.forEach((home, replay) -> replay.start(home == Side.SOURCE ? config.target().connectTimeout()
                : config.source().connectTimeout()));
    }

    /** Whether this proxy catches up at all: it has a target, whatever the phase (it may change at run time). */
    public boolean active() {
        return !queues.isEmpty();
    }

    /** The queue of the transactions whose primary is {@code primary}; null without a target. */
    public CatchUpQueue queue(Side primary) {
        return queues.get(primary);
    }

    /**
     * Stops polling the database on both sides and closes the connections to it, ahead of a {@code DROP DATABASE}
     * (see {@link CatchUpQueue#letGo}).
     */
    public Future<Void> letGo(String database) {
        List<Future<Void>> released = new ArrayList<>();
        queues.values().forEach(queue -> released.add(queue.letGo(database)));
        return Future.join(released).mapEmpty();
    }

    /**
     * Looks through every database of both sides for queues that hold entries, queued or parked, and makes them known
     * here, so that {@link #status} and {@link #drainedBefore} count them: another replica's sessions may have queued
     * in a database this proxy never wrote. A move of the primary calls it before its pause: it opens a connection to
     * each database, which is too slow to do while clients wait.
     *
     * @return the tables marked divergent on either side (a transaction one database has and the other lacks was found
     *         there), each as {@code database.table (on the source|target)}
     */
    public Future<List<String>> discover() {
        List<Future<List<String>>> found = new ArrayList<>();
        replays.forEach((home, replay) -> found.add(replay.discover(false).map(marked -> marked.stream()
                .map(table -> table + " (on the " + home.configName() + ")").toList())));
        return Future.all(found).map(all -> all.<List<String>>list().stream().flatMap(List::stream).toList());
    }

    /**
     * Completes once no queue known here holds an entry, each read afresh, and fails when one is parked or entries
     * still wait at {@code deadlineNanos}. A move of the primary asks it while new transactions are paused: a
     * transaction that went to the queue after the gates were read, and committed before the pause, would otherwise
     * reach the new primary only after it had taken writes as the primary, and then overwrite them. Known are the
     * databases this proxy's sessions wrote and those {@link #discover} found holding entries.
     */
    public Future<Void> drainedBefore(long deadlineNanos) {
        List<Future<Void>> drained = new ArrayList<>();
        replays.values().forEach(replay -> drained.add(replay.drainedBefore(deadlineNanos)));
        return Future.all(drained).mapEmpty();
    }

    public double depth() {
        return replays.values().stream().mapToDouble(QueueReplay::depth).sum();
    }

    public double oldestAgeSeconds() {
        return replays.values().stream().mapToDouble(QueueReplay::oldestAgeSeconds).max().orElse(0);
    }

    public double parked() {
        return replays.values().stream().mapToDouble(QueueReplay::parked).sum();
    }

    public long appliedCount() {
        return replays.values().stream().mapToLong(QueueReplay::appliedCount).sum();
    }

    public long failureCount() {
        return replays.values().stream().mapToLong(QueueReplay::failureCount).sum();
    }

    /** Each known database's queue on both sides, with its home, as of the last poll (no server is asked). */
    public List<CatchUpStatus.DatabaseStatus> databases() {
        List<CatchUpStatus.DatabaseStatus> databases = new ArrayList<>();
        queues.values().forEach(queue -> databases.addAll(queue.databaseStatuses()));
        return databases;
    }

    /** Both sides' queues as one: totals over both, every database of either listed with its home. */
    public Future<CatchUpStatus> status() {
        List<Future<CatchUpStatus>> each = new ArrayList<>();
        replays.values().forEach(replay -> each.add(replay.status()));
        return Future.all(each).map(all -> {
            long depth = 0;
            long parked = 0;
            long applied = 0;
            long failures = 0;
            double oldest = 0;
            List<CatchUpStatus.DatabaseStatus> databases = new ArrayList<>();
            List<String> divergent = new ArrayList<>();
            for (Future<CatchUpStatus> one : each) {
                CatchUpStatus status = one.result();
                depth += status.depth();
                parked += status.parked();
                applied += status.applied();
                failures += status.failures();
                oldest = Math.max(oldest, status.oldestAgeSeconds());
                databases.addAll(status.databases());
                divergent.addAll(status.divergentTables());
            }
            return new CatchUpStatus(depth, oldest, parked, applied, failures, databases, divergent);
        });
    }

    @PreDestroy
    void stop() {
        replays.values().forEach(QueueReplay::stop);
        queues.values().forEach(CatchUpQueue::stop);
    }
}
