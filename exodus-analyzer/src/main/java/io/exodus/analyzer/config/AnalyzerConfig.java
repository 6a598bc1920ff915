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

    interface Capture {
        /** The largest batch, after decompression; larger ones are refused with 413. */
        @WithDefault("16M")
        MemorySize maxBatchBytes();

        /** The most events in one batch; more are refused with 413. */
        @WithDefault("10000")
        int maxBatchEvents();
    }

    interface Embedded {
        /** Where the embedded store keeps its data, kept across runs; a temporary folder when absent. */
        Optional<String> dataDir();
    }
}
