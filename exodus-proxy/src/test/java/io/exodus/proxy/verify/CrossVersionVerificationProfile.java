package io.exodus.proxy.verify;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.OtherVersionServer;
import io.exodus.testsupport.PostgresPairResource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link VerificationProfile} with a source on the oldest PostgreSQL major version Exodus supports and a target on the
 * newest, the same servers the dual-write cross-version test uses (started once per JVM by
 * {@link OtherVersionServer}, from the binaries Maven copies to target/postgres-binaries).
 */
public class CrossVersionVerificationProfile extends VerificationProfile {
    private static final Path BINARIES = Path.of("target", "postgres-binaries");

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.source.url", PostgresPairResource.superuserUrl(olderSource()));
        overrides.put("exodus.target.url", PostgresPairResource.superuserUrl(newerTarget()));
        return overrides;
    }

    static LocalPostgres olderSource() {
        return OtherVersionServer.of("source-older", BINARIES.resolve("source-postgres.jar"));
    }

    static LocalPostgres newerTarget() {
        return OtherVersionServer.of("target-newer", BINARIES.resolve("target-postgres.jar"));
    }
}
