package io.exodus.proxy.shadow;

import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether reads are shadowed now, and what the comparisons found: the counts, the last mismatches, the meters. The
 * sessions of every event loop report here. A strategy's shadow step turns shadowing on for every replica of the fleet;
 * each reports its counts with its heartbeat, and the replica that runs the strategy sums them for its gates (ADR 0043).
 */
@Singleton
public class ShadowReads {
    private static final Logger LOG = Logger.getLogger(ShadowReads.class);
    /** A systematic mismatch repeats with every read: one log line per interval says so without flooding the log. */
    private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final ExodusConfig.Shadow config;
    private final Counter compared;
    private final Counter skipped;
    private final Map<MismatchKind, Counter> mismatches = new EnumMap<>(MismatchKind.class);
    private final ArrayDeque<ShadowMismatch> recent = new ArrayDeque<>();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong unlogged = new AtomicLong();
    /** Where mismatches go to the analyzer, when capture is on (its shadow findings, origin live). */
    private final CaptureTap capture;
    private final MigrationState migration;

    public ShadowReads(ExodusConfig config, MeterRegistry exported, MetricsConfig metrics, CaptureTap capture,
            MigrationState migration) {
        this.config = config.migration().shadow();
        this.migration = migration;
        this.capture = capture;
        // With metrics off nothing is exported, but the admin API and the strategies still read the counts.
        MeterRegistry registry = metrics.enabled() ? exported : new SimpleMeterRegistry();
        compared = Counter.builder(ExodusMeters.SHADOW_COMPARED)
                .description("Shadow reads whose answers from both databases were compared").register(registry);
        skipped = Counter.builder(ExodusMeters.SHADOW_SKIPPED)
                .description("Reads not shadowed because their answer depends on the clock or randomness")
                .register(registry);
        for (MismatchKind kind : MismatchKind.values()) {
            mismatches.put(kind, Counter.builder(ExodusMeters.SHADOW_MISMATCHES)
                    .description("Shadow reads whose answers differed between the databases")
                    .tag("kind", kind.tag()).register(registry));
        }
    }

    /**
     * Whether reads are shadowed now: a strategy's shadow step turns it on for the whole fleet
     * ({@code MigrationState#shadowing}, a setting of the control state).
     */
    public boolean active() {
        return migration.shadowing();
    }

    /** Whether this read is one of the share shadowed: asked of reads that could be. */
    public boolean sample() {
        double share = config.share();
        return active() && share > 0 && (share >= 100 || ThreadLocalRandom.current().nextDouble(100) < share);
    }

    public Duration timeout() {
        return config.timeout();
    }

    /** A read that would have been shadowed, left out because its answer cannot be the same on both databases. */
    public void skippedVolatile() {
        if (active()) {
            skipped.increment();
        }
    }

    /**
     * Both answers are in: compares them, counts, keeps and logs a mismatch, and ships it to the analyzer.
     *
     * @param text    the read's text, for the analyzer (null when the request had none: a function call)
     * @param ordered for each result set, whether its statement orders its rows
     */
    public void compare(String fingerprint, String text, Side primarySide, ResultDigest primary,
            ResultDigest secondary, List<Boolean> ordered) {
        compared.increment();
        MismatchKind kind = ShadowVerdict.compare(primary, secondary, ordered);
        if (kind == null) {
            return;
        }
        mismatches.get(kind).increment();
        ResultDigest source = primarySide == Side.SOURCE ? primary : secondary;
        ResultDigest target = primarySide == Side.SOURCE ? secondary : primary;
        ShadowMismatch mismatch = new ShadowMismatch(Instant.now(), fingerprint, kind.tag(), source.totalRows(),
                target.totalRows(), source.sqlState(), target.sqlState());
        synchronized (recent) {
            recent.addFirst(mismatch);
            while (recent.size() > Math.max(0, config.recent())) {
                recent.removeLast();
            }
        }
        log(mismatch);
        capture.shadowMismatch(mismatch.at(), text, mismatch.kind(), mismatch.sourceRows(), mismatch.targetRows(),
                mismatch.sourceSqlState(), mismatch.targetSqlState());
    }

    private void log(ShadowMismatch mismatch) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_INTERVAL_NANOS || !lastLogged.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        LOG.warnf("Shadow read mismatch (%s): source %d rows%s, target %d rows%s for: %s%s", mismatch.kind(),
                mismatch.sourceRows(), mismatch.sourceSqlState() == null ? "" : " (" + mismatch.sourceSqlState() + ")",
                mismatch.targetRows(), mismatch.targetSqlState() == null ? "" : " (" + mismatch.targetSqlState() + ")",
                mismatch.fingerprint(), more == 0 ? "" : " (" + more + " more since the last such line, listed in "
                        + "GET /exodus/migration's shadow.recent)");
    }

    /** Mismatches found since this proxy started, every kind. */
    public long mismatches() {
        return (long) mismatches.values().stream().mapToDouble(Counter::count).sum();
    }

    public long compared() {
        return (long) compared.count();
    }

    public ShadowStatus status() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (MismatchKind kind : MismatchKind.values()) {
            byKind.put(kind.tag(), (long) mismatches.get(kind).count());
        }
        List<ShadowMismatch> last;
        synchronized (recent) {
            last = List.copyOf(recent);
        }
        return new ShadowStatus(active(), config.share(), compared(), mismatches(), byKind, (long) skipped.count(), last);
    }
}
