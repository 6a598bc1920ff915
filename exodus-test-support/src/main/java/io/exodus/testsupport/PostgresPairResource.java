package io.exodus.testsupport;

import java.util.Map;

import io.exodus.localpg.LocalPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} proxy at the shared {@link TestDatabases}: use
 * {@code @QuarkusTestResource(PostgresPairResource.class)} (or {@code @WithTestResource}). The servers outlive the
 * Quarkus application; they are stopped when the JVM exits.
 */
public class PostgresPairResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "exodus.source.url", superuserUrl(TestDatabases.source()),
                "exodus.target.url", superuserUrl(TestDatabases.target()),
                "exodus.listen.port", String.valueOf(FreePorts.pick()),
                "quarkus.http.test-port", "0");
    }

    @Override
    public void stop() {
        // the servers are shared by the whole JVM
    }

    /** The URL a proxy under test reaches a test server with: its superuser, on the default database. */
    public static String superuserUrl(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE);
    }
}
