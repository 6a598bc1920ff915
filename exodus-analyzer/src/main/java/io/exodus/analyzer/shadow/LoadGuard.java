package io.exodus.analyzer.shadow;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Holds a replay back when the databases it replays on slow down, so that shadow testing never adds to the trouble of
 * a busy production source. Every {@code interval} it times a trivial query on each side, on a connection of its own
 * (a replay's connections may all be busy; a probe must not queue behind them). The fastest of the first
 * {@value #BASELINE_PROBES} answers of each side, taken before the replay starts, is its baseline: the first probes
 * also time the analyzer's own cold start (the probe connection opened, client code not yet compiled): a median of
 * them was 4.7 to 308 ms against servers that later answered in 0.6 to 1.5 ms (bench/shadow-replay.sh), and three times that
 * guards nothing. A side is slow while the median of its
 * last {@value #WINDOW} probes is above both {@code latency-ratio} times its baseline and {@code min-latency}; a probe
 * still unanswered at the next tick counts with the time it has waited so far.
 * <p>
 * The replay's permits follow, additively up and multiplicatively down (as TCP's congestion window does, for the same
 * reason: back off fast, creep back): a tick with a slow side halves how many executions may run at once — from one
 * to none, which pauses the replay until the sides recover —; a tick with both sides healthy allows one more, up to
 * {@code concurrency}. The replay's own load counts too: that is the point.
 */
final class LoadGuard implements AutoCloseable {
    static final int BASELINE_PROBES = 5;
    static final int WINDOW = 3;

    /** One side's probe: answers the microseconds a trivial query took, or fails. */
    interface Probe {
        Future<Long> micros();
    }

    /** {@code exodus.analyzer.shadow.load-guard.*}. */
    record Settings(Duration interval, double latencyRatio, Duration minLatency) {
    }

    /**
     * What the guard did, for the report.
     *
     * @param baselineMicros per side, the fastest of its first probes
     * @param lastMicros     per side, the median of its latest probes
     * @param backoffs       ticks that lowered the number of executions at once
     * @param pausedMillis   time with no execution allowed
     * @param lowestLimit    the fewest executions allowed at once
     */
    record Summary(long probes, Map<String, Long> baselineMicros, Map<String, Long> lastMicros, long backoffs,
            long pausedMillis, int lowestLimit, int limit) {
    }

    private final Vertx vertx;
    private final Map<String, Side> sides = new LinkedHashMap<>();
    private final ReplayPermits permits;
    private final Settings settings;
    private long timer = -1;
    private long probes;
    private long backoffs;
    private long pausedSince = -1;
    private long pausedNanos;
    private int lowestLimit;
    private boolean closed;

    LoadGuard(Vertx vertx, Map<String, Probe> probes, ReplayPermits permits, Settings settings) {
        this.vertx = vertx;
        probes.forEach((name, probe) -> sides.put(name, new Side(probe)));
        this.permits = permits;
        this.settings = settings;
        this.lowestLimit = permits.limit();
    }

    /** Takes the baseline, then watches until closed; the future completes when the replay may start. */
    Future<Void> start() {
        Promise<Void> ready = Promise.promise();
        tick(ready);
        return ready.future();
    }

    private void tick(Promise<Void> ready) {
        synchronized (this) {
            if (closed) {
                ready.tryComplete();
                return;
            }
            if (sides.values().stream().allMatch(side -> side.baseline >= 0)) {
                ready.tryComplete();
                adjust();
            }
            sides.values().forEach(this::probe);
            timer = vertx.setTimer(settings.interval().toMillis(), id -> tick(ready));
        }
    }

    private void probe(Side side) {
        long now = System.nanoTime();
        if (side.probingSince >= 0) {
            // Still unanswered: at least this slow.
            side.overdue((now - side.probingSince) / 1_000);
            return;
        }
        side.probingSince = now;
        Future<Long> answer;
        try {
            answer = side.probe.micros();
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        answer.onComplete(done -> {
            synchronized (this) {
                long micros = done.succeeded() ? done.result() : (System.nanoTime() - side.probingSince) / 1_000;
                side.probingSince = -1;
                side.answered(micros);
                probes++;
            }
        });
    }

    /** One decision per tick, from the sides' latest probes. */
    private void adjust() {
        boolean slow = sides.values().stream().anyMatch(side -> side.slow(settings));
        int limit = permits.limit();
        int next = slow ? limit / 2 : Math.min(permits.ceiling(), limit + 1);
        if (next == limit) {
            return;
        }
        if (next < limit) {
            backoffs++;
        }
        long now = System.nanoTime();
        if (next == 0 && pausedSince < 0) {
            pausedSince = now;
        } else if (next > 0 && pausedSince >= 0) {
            pausedNanos += now - pausedSince;
            pausedSince = -1;
        }
        lowestLimit = Math.min(lowestLimit, next);
        permits.limit(next);
    }

    synchronized Summary summary() {
        Map<String, Long> baseline = new LinkedHashMap<>();
        Map<String, Long> last = new LinkedHashMap<>();
        sides.forEach((name, side) -> {
            baseline.put(name, side.baseline);
            last.put(name, side.recent());
        });
        long paused = pausedNanos + (pausedSince >= 0 ? System.nanoTime() - pausedSince : 0);
        return new Summary(probes, baseline, last, backoffs, paused / 1_000_000, lowestLimit, permits.limit());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (pausedSince >= 0) {
            pausedNanos += System.nanoTime() - pausedSince;
            pausedSince = -1;
        }
        // What waits must not wait for a guard that no longer watches.
        permits.limit(permits.ceiling());
    }

    /** One database's probes. Guarded by the LoadGuard's lock. */
    private static final class Side {
        final Probe probe;
        final List<Long> first = new ArrayList<>(BASELINE_PROBES);
        final long[] window = new long[WINDOW];
        int answers;
        long baseline = -1;
        long probingSince = -1;
        /** An overdue probe's wait so far; counted until it answers. */
        long overdueMicros = -1;

        Side(Probe probe) {
            this.probe = probe;
        }

        void answered(long micros) {
            overdueMicros = -1;
            window[answers % WINDOW] = micros;
            answers++;
            if (baseline < 0) {
                first.add(micros);
                if (first.size() == BASELINE_PROBES) {
                    baseline = first.stream().mapToLong(Long::longValue).min().orElseThrow();
                }
            }
        }

        void overdue(long micros) {
            overdueMicros = micros;
        }

        /** The median of the latest probes, an overdue one counted with its wait so far; -1 before any. */
        long recent() {
            if (answers == 0) {
                return overdueMicros;
            }
            long[] latest = Arrays.copyOf(window, Math.min(answers, WINDOW));
            long median = median(latest);
            return overdueMicros >= 0 ? Math.max(median, overdueMicros) : median;
        }

        boolean slow(Settings settings) {
            if (baseline < 0) {
                return false;
            }
            long threshold = Math.max((long) (baseline * settings.latencyRatio()),
                    settings.minLatency().toNanos() / 1_000);
            return recent() > threshold;
        }

        private static long median(long[] values) {
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }
    }

    /** A probe over {@code query}: the time from sending it to its answer. */
    static Probe timing(Supplier<Future<?>> query) {
        return () -> {
            long start = System.nanoTime();
            return query.get().map(done -> (System.nanoTime() - start) / 1_000);
        };
    }
}
