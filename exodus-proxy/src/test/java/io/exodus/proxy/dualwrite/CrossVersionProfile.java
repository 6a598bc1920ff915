package io.exodus.proxy.dualwrite;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.OtherVersionServer;
import io.exodus.testsupport.PostgresPairResource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link DualWriteProfile} across PostgreSQL major versions: a source on the oldest one Exodus supports and a target on
 * the newest, from the binaries jars Maven copies to target/postgres-binaries (postgres.source-binaries.version and
 * postgres.target-binaries.version in the root pom). Both are started on first use and shared with the test's class
 * loader through {@link OtherVersionServer}.
 */
public class CrossVersionProfile extends DualWriteProfile {
    private static final Path BINARIES = Path.of("target", "postgres-binaries");

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.source.url", PostgresPairResource.superuserUrl(olderSource()));
        overrides.put("exodus.target.url", PostgresPairResource.superuserUrl(newerTarget()));
        // The test waits for the old source's standby to be reported.
        overrides.put("exodus.metrics.replication-lag-interval", "1s");
        return overrides;
    }

    public static LocalPostgres olderSource() {
        return OtherVersionServer.of("source-older", BINARIES.resolve("source-postgres.jar"));
    }

    public static LocalPostgres newerTarget() {
        return OtherVersionServer.of("target-newer", BINARIES.resolve("target-postgres.jar"));
    }
}
