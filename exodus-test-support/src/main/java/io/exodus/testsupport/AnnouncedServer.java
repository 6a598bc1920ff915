package io.exodus.testsupport;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

import io.exodus.localpg.LocalPostgres;

/**
 * Where a shared test server runs, written to system properties: those are the one place that every class loader in
 * the JVM sees, unlike static fields.
 */
record AnnouncedServer(int port, Path dataDirectory, Path binDirectory) {

    private static final String PREFIX = "testsupport.databases.";
    // Interned: every class loader's copy of this class locks the same object.
    private static final Object ACROSS_CLASS_LOADERS = "io.exodus.testsupport.AnnouncedServer.lock";

    /**
     * The server announced under {@code role}, attached to; or, when none is, the one {@code start} starts (configured
     * like the shared pair), announced for later class loaders.
     */
    static LocalPostgres attachOrStart(String role, Supplier<LocalPostgres> start) {
        synchronized (ACROSS_CLASS_LOADERS) {
            return find(role).map(announced -> TestDatabases.attach(role, announced)).orElseGet(() -> {
                LocalPostgres server = start.get();
                announce(role, server);
                return server;
            });
        }
    }

    static void announce(String role, LocalPostgres server) {
        System.setProperty(PREFIX + role + ".bin", server.binDirectory().toString());
        System.setProperty(PREFIX + role + ".data", server.dataDirectory().toString());
        // Last, because find() takes the port as the sign that the announcement is complete.
        System.setProperty(PREFIX + role + ".port", String.valueOf(server.port()));
    }

    static Optional<AnnouncedServer> find(String role) {
        String port = System.getProperty(PREFIX + role + ".port");
        if (port == null) {
            return Optional.empty();
        }
        return Optional.of(new AnnouncedServer(Integer.parseInt(port),
                Path.of(System.getProperty(PREFIX + role + ".data")),
                Path.of(System.getProperty(PREFIX + role + ".bin"))));
    }
}
