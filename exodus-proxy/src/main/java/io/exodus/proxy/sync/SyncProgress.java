package io.exodus.proxy.sync;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a running sync has done, readable from any thread while the sync's event loop writes it. Logs a line per
 * state and, while rows are copied, every ten seconds.
 */
public final class SyncProgress {
    private static final Logger LOG = Logger.getLogger(SyncProgress.class);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private final Instant startedAt = Instant.now();
    private final Map<String, TableCounters> tables = new ConcurrentHashMap<>();
    private final List<String> tableOrder = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final AtomicLong changesApplied = new AtomicLong();
    private volatile SyncState state = SyncState.CHECKING;
    private volatile String error;
    private volatile Long switchPauseMillis;
    private volatile long copyStartedNanos;
    private volatile long copyEndedNanos;
    private volatile long lastLogNanos;
    private volatile Instant finishedAt;
    private final SyncTimings timings = new SyncTimings();
    private final long startedNanos = System.nanoTime();

    public SyncProgress() {
        timings.begin(SyncStep.CHECKS);
        LOG.info("Initial sync: checking the source and the target");
    }

    void enter(SyncState next) {
        state = next;
        if (next == SyncState.COPYING) {
            copyStartedNanos = System.nanoTime();
            lastLogNanos = copyStartedNanos;
        }
        if (next.finished()) {
            timings.end();
            finishedAt = Instant.now();
        }
        if (next != SyncState.FAILED) {
            LOG.infof("Initial sync: %s", next.apiName());
        }
        if (next.finished()) {
            LOG.infof("Initial sync: %s in %d ms: %s%s", next.apiName(),
                    (System.nanoTime() - startedNanos) / 1_000_000, timings.summary(), slowestTables());
        }
    }

    /** Where the time goes from now on (see {@link SyncTimings}): called on the sync's event loop. */
    void step(SyncStep step) {
        timings.begin(step);
    }

    /** "; slowest tables: a.b 4100 ms, …": the three whose COPY took longest, for the log line at the end. */
    private String slowestTables() {
        List<String> slowest = tableOrder.stream().filter(name -> tables.get(name).copyMillis != null)
                .sorted((a, b) -> Long.compare(tables.get(b).copyMillis, tables.get(a).copyMillis)).limit(3)
                .map(name -> name + " " + tables.get(name).copyMillis + " ms").toList();
        return slowest.isEmpty() ? "" : "; slowest tables: " + String.join(", ", slowest);
    }

    void fail(String why) {
        error = why;
        enter(SyncState.FAILED);
        LOG.errorf("Initial sync failed: %s", why);
    }

    void note(String text) {
        notes.add(text);
        LOG.warnf("Initial sync: %s", text);
    }

    void table(String name, long rowsEstimated) {
        if (tables.putIfAbsent(name, new TableCounters(rowsEstimated)) == null) {
            tableOrder.add(name);
        }
    }

    /** The table is copied in {@code parts} parts at once (ADR 0047); each part's rows count as the table's. */
    void split(String name, int parts) {
        tables.get(name).parts = parts;
    }

    void tableStarted(String name) {
        TableCounters counters = tables.get(name);
        counters.startedNanos = System.nanoTime();
        counters.state = "copying";
    }

    void rowsCopied(String name, long rows, long bytes) {
        TableCounters counters = tables.get(name);
        counters.rows.addAndGet(rows);
        counters.bytes.addAndGet(bytes);
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            SyncStatus status = status();
            LOG.infof("Initial sync: %d of about %d rows copied (%.0f rows/s), %d tables of %d done",
                    status.rowsCopied(), status.rowsTotal(), status.rowsPerSecond(),
                    status.tables().stream().filter(t -> t.state().equals("copied")).count(), status.tables().size());
        }
    }

    void tableCopied(String name) {
        TableCounters counters = tables.get(name);
        counters.copyMillis = (System.nanoTime() - counters.startedNanos) / 1_000_000;
        counters.state = "copied";
        LOG.infof("Initial sync: table %s copied, %d rows in %d ms%s", name, counters.rows.get(), counters.copyMillis,
                counters.parts > 1 ? " (" + counters.parts + " parts)" : "");
    }

    /** A table a sync interrupted by a crash copied before it: its rows are on the target, not counted again. */
    void tableCopiedBefore(String name) {
        tables.get(name).state = "copied";
        LOG.infof("Initial sync: table %s was copied before the interruption: kept", name);
    }

    /** The rows are in; the indexes, constraints and triggers (pg_dump's post-data) come next. */
    void rowsDone() {
        copyEndedNanos = System.nanoTime();
        SyncStatus status = status();
        LOG.infof("Initial sync: %d rows copied (%.0f rows/s); building indexes, constraints and triggers",
                status.rowsCopied(), status.rowsPerSecond());
    }

    void changesApplied(long count) {
        changesApplied.addAndGet(count);
    }

    /**
     * @param inFlight   of the pause, the wait for transactions in flight to end
     * @param lastChanges of the pause, applying the changes up to the source's position
     */
    void switchPause(Duration paused, Duration inFlight, Duration lastChanges) {
        switchPauseMillis = paused.toMillis();
        LOG.infof("Initial sync: new transactions were held back for %d ms at the switch (%d ms for transactions in "
                + "flight to end, %d ms to apply the last changes)", paused.toMillis(), inFlight.toMillis(),
                lastChanges.toMillis());
    }

    public SyncState state() {
        return state;
    }

    public SyncStatus status() {
        List<SyncStatus.Table> list = new ArrayList<>(tableOrder.size());
        long rows = 0;
        long total = 0;
        long bytes = 0;
        for (String name : tableOrder) {
            TableCounters counters = tables.get(name);
            long copied = counters.rows.get();
            rows += copied;
            total += Math.max(counters.estimated, copied);
            bytes += counters.bytes.get();
            list.add(new SyncStatus.Table(name, counters.state, copied, counters.estimated, counters.bytes.get(),
                    counters.copyMillis, counters.parts));
        }
        long started = copyStartedNanos;
        long ended = copyEndedNanos;
        double seconds = started == 0 ? 0 : ((ended == 0 ? System.nanoTime() : ended) - started) / 1e9;
        double perSecond = seconds > 0 ? rows / seconds : 0;
        return new SyncStatus(state, rows, total, bytes, Math.round(perSecond * 10) / 10.0, changesApplied.get(),
                switchPauseMillis, error, List.copyOf(notes), startedAt, finishedAt, timings.millis(), list);
    }

    private static final class TableCounters {
        final long estimated;
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile String state = "waiting";
        volatile int parts = 1;
        volatile long startedNanos;
        /** How long this run's COPY of the table took; null until copied (and for a table copied before a crash). */
        volatile Long copyMillis;

        TableCounters(long estimated) {
            this.estimated = Math.max(0, estimated);
        }
    }
}
