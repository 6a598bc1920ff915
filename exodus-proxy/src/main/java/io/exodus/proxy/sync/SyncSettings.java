package io.exodus.proxy.sync;

import io.exodus.proxy.config.ExodusConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code exodus.sync.*} keys, checked and typed.
 *
 * @param splitMinBytes a table whose heap is at least this many bytes is copied in parts ({@link TableSplit})
 * @param schemaCheckInterval while rows are copied, how often at most the source's schema is compared with the one
 *                            copied, between tables ({@link SchemaFingerprint})
 * @param testHoldFile the test hook {@code exodus.sync.test-hold-file}: while the file exists, the sync holds in its
 *                     switch where the file says; empty, the default, in production
 */
public record SyncSettings(int parallelTables, long splitMinBytes, TablesWithoutKey tablesWithoutKey,
        LargeObjects largeObjects, UnloggedTables unloggedTables, Duration switchTimeout, int switchAttempts,
        long sequenceMargin, Duration schemaCheckInterval, Optional<Path> pgBin, Optional<Path> testHoldFile) {

    /** PostgreSQL's default block size: a part is at least one page. */
    static final long MIN_SPLIT_BYTES = 8192;

    public SyncSettings {
        if (parallelTables < 1) {
            throw new IllegalArgumentException("exodus.sync.parallel-tables must be at least 1");
        }
        if (splitMinBytes < MIN_SPLIT_BYTES) {
            throw new IllegalArgumentException("exodus.sync.split-min-bytes must be at least " + MIN_SPLIT_BYTES
                    + " (a page of the source's heap)");
        }
        if (switchAttempts < 1) {
            throw new IllegalArgumentException("exodus.sync.switch-attempts must be at least 1");
        }
        if (sequenceMargin < 1) {
            throw new IllegalArgumentException("exodus.sync.sequence-margin must be at least 1");
        }
    }

    public static SyncSettings of(ExodusConfig.Sync sync) {
        return new SyncSettings(sync.parallelTables(), sync.splitMinBytes(),
                TablesWithoutKey.fromConfig(sync.tablesWithoutKey()), LargeObjects.fromConfig(sync.largeObjects()),
                UnloggedTables.fromConfig(sync.unloggedTables()),
                sync.switchTimeout(), sync.switchAttempts(), sync.sequenceMargin(), sync.schemaCheckInterval(),
                sync.pgBin().map(Path::of),
                sync.testHoldFile());
    }
}
