package io.exodus.proxy.session;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.TestUsers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link DualWriteProfile} with a target of a newer PostgreSQL major version than the shared source: the binaries
 * jar Maven copies to target/postgres-binaries (postgres.target-binaries.version in the root pom, 17.11.0). The
 * server's port is announced in a system property, which the test's class loader sees too (Quarkus loads profiles
 * and tests in different ones); the server stops with the JVM, like the shared ones.
 */
public class NewerTargetProfile extends DualWriteProfile {
    static final String PORT_PROPERTY = "testsupport.newer-target.port";
    private static final Path BINARIES_JAR = Path.of("target", "postgres-binaries", "target-postgres.jar");

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.target.url", "postgresql://" + TestUsers.SUPERUSER + ":" + TestUsers.SUPERUSER_PASSWORD
                + "@127.0.0.1:" + port() + "/" + TestUsers.DEFAULT_DATABASE + "?sslmode=disable");
        return overrides;
    }

    /** The newer target's port, started on first use. */
    static synchronized int port() {
        String announced = System.getProperty(PORT_PROPERTY);
        if (announced != null) {
            return Integer.parseInt(announced);
        }
        if (!Files.isRegularFile(BINARIES_JAR)) {
            throw new IllegalStateException(BINARIES_JAR.toAbsolutePath() + " is missing: Maven's "
                    + "generate-test-resources phase copies it (run the tests through ./mvnw)");
        }
        LocalPostgres server = LocalPostgres.builder()
                .name("target-newer")
                .binariesJar(BINARIES_JAR)
                .superuser(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                .hostAuthMethod("scram-sha-256")
                .setting("max_prepared_transactions", "20")
                .setting("max_connections", "100")
                .tradeDurabilityForSpeed()
                .start();
        System.setProperty(PORT_PROPERTY, String.valueOf(server.port()));
        return server.port();
    }
}
