package io.exodus.testsupport;

import java.nio.file.Path;
import java.util.Optional;

import io.exodus.localpg.LocalPostgres;

/**
 * Where a shared test server runs, written to system properties: those are the one place that every class loader in
 * the JVM sees, unlike static fields.
 */
record AnnouncedServer(int port, Path dataDirectory, Path binDirectory) {

    private static final String PREFIX = "testsupport.databases.";

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
