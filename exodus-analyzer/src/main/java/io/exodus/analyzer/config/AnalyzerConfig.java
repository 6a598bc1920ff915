package io.exodus.analyzer.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a user can set under {@code exodus.analyzer.*}, also as environment variables
 * ({@code exodus.analyzer.source-url} → {@code EXODUS_ANALYZER_SOURCE_URL}); the README lists them with defaults.
 */
@ConfigMapping(prefix = "exodus.analyzer")
public interface AnalyzerConfig {

    /**
     * {@code postgresql://user:password@host:port/db?sslmode=…} of the database to migrate. Without it the analyzer
     * still takes capture, and the profile, checks, recommendations and report answer 503 saying what to set.
     */
    Optional<String> sourceUrl();

    /** The same for the target; without it the checks that compare the two say that they could not. */
    Optional<String> targetUrl();

    /** Where captured statements are kept; without it an embedded PostgreSQL server starts on this machine. */
    Optional<String> storeUrl();

    /** TCP connect timeout to the source, the target and the store. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** The target's memory, for the recommended settings; read from the target when absent and possible. */
    Optional<MemorySize> targetMemory();

    /** The target's CPUs, for the recommended settings; read from the target when absent and possible. */
    OptionalInt targetCpus();

    /** The target's storage: {@code ssd}, {@code hdd} or {@code san} (random_page_cost, effective_io_concurrency). */
    @WithDefault("ssd")
    StorageKind targetStorage();

    /** A transaction open longer than this on the source or the target would stall a cutover. */
    @WithDefault("5m")
    Duration longTransaction();

    Capture capture();

    Embedded embedded();

    Shadow shadow();

    interface Capture {
        /** The largest batch, after decompression; larger ones are refused with 413. */
        @WithDefault("16M")
        MemorySize maxBatchBytes();

        /** The most events in one batch; more are refused with 413. */
        @WithDefault("10000")
        int maxBatchEvents();
    }

    /** Shadow replay of captured traffic against the target, with the source as the noise baseline. */
    interface Shadow {
        /** Captured executions replayed at once; each holds one connection to the source and one to the target. */
        @WithDefault("4")
        int concurrency();

        /** Captured executions replayed per statement shape, the most recent first. */
        @WithDefault("20")
        int executionsPerStatement();

        /** Statement shapes replayed per run, the most called first. */
        @WithDefault("500")
        int maxStatements();

        /** statement_timeout of every replayed statement on both sides. */
        @WithDefault("30s")
        Duration statementTimeout();

        /** Results with more rows are compared by row count and columns only, not value by value. */
        @WithDefault("10000")
        int maxRows();

        /** Relative difference under which two floating-point values count as equal. */
        @WithDefault("1e-9")
        double floatTolerance();

        /** A latency regression: the target's run above this multiple of the slower of the source's two runs ... */
        @WithDefault("1.5")
        double latencyRatio();

        /** ... in at least this share of the executions ... */
        @WithDefault("0.7")
        double latencyShare();

        /** ... with medians at least this far apart, so that microseconds of jitter are not regressions ... */
        @WithDefault("1ms")
        Duration latencyMinDifference();

        /** ... over at least this many executions. */
        @WithDefault("5")
        int latencyMinSamples();

        /** A plan regression: another plan shape whose estimated total cost is above this multiple of the source's. */
        @WithDefault("1.5")
        double planCostRatio();

        /**
         * Plans of reads from {@code EXPLAIN (ANALYZE)}: each read's plan is run once more on each side, inside the
         * same read-only transaction that is rolled back, so that a plan finding shows the rows and times each node
         * really had. Off by default: it costs one more execution of the statement per shape and side.
         */
        @WithDefault("false")
        boolean explainAnalyze();

        /**
         * A scratch copy of the source where {@code writes: rollback} replays captured writes, each in a transaction
         * that is rolled back; never the live source. Without it and {@link #scratchTargetUrl} writes are skipped.
         */
        Optional<String> scratchSourceUrl();

        /** A scratch copy of the target, likewise; never the live target, which dual-write keeps in step. */
        Optional<String> scratchTargetUrl();

        /** Holds a replay back while the source or the target answers slower than before it started. */
        LoadGuard loadGuard();
    }

    interface LoadGuard {
        /** Off: a replay runs as fast as concurrency (and its pace) allow, whatever the databases' latency. */
        @WithDefault("true")
        boolean enabled();

        /** How often each side is probed (a trivial query on a connection of the guard's own). */
        @WithDefault("250ms")
        Duration interval();

        /** A side is slow while its recent probes take more than this multiple of its probes before the replay ... */
        @WithDefault("3")
        double latencyRatio();

        /** ... and more than this, so that a fast side's jitter (0.1 ms to 0.4 ms) is not a slowdown. */
        @WithDefault("2ms")
        Duration minLatency();
    }

    interface Embedded {
        /** Where the embedded store keeps its data, kept across runs; a temporary folder when absent. */
        Optional<String> dataDir();
    }
}
