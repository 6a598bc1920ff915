package io.exodus.proxy.sync;

import io.exodus.proxy.config.ExodusConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code exodus.sync.*} keys, checked and typed.
 *
 * @param testHoldFile the test hook {@code exodus.sync.test-hold-file}: while the file exists, the sync holds in its
 *                     switch where the file says; empty, the default, in production
 */
public record SyncSettings(int parallelTables, TablesWithoutKey tablesWithoutKey, Duration switchTimeout,
        int switchAttempts, long sequenceMargin, Optional<Path> pgBin, Optional<Path> testHoldFile) {

    public SyncSettings {
        if (parallelTables < 1) {
            throw new IllegalArgumentException("exodus.sync.parallel-tables must be at least 1");
        }
        if (switchAttempts < 1) {
            throw new IllegalArgumentException("exodus.sync.switch-attempts must be at least 1");
        }
        if (sequenceMargin < 1) {
            throw new IllegalArgumentException("exodus.sync.sequence-margin must be at least 1");
        }
    }

    public static SyncSettings of(ExodusConfig.Sync sync) {
        return new SyncSettings(sync.parallelTables(), TablesWithoutKey.fromConfig(sync.tablesWithoutKey()),
                sync.switchTimeout(), sync.switchAttempts(), sync.sequenceMargin(), sync.pgBin().map(Path::of),
                sync.testHoldFile());
    }
}
