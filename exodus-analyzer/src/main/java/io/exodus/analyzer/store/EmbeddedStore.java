package io.exodus.analyzer.store;

import io.exodus.localpg.LocalPostgres;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The zero-setup store: when no {@code exodus.analyzer.store-url} is set, the analyzer keeps captured traffic in a
 * PostgreSQL server of its own on this machine (never in the production source), as the proxy's embedded default
 * does. Its data is temporary unless {@code exodus.analyzer.embedded.data-dir} says where to keep it; a kept data
 * folder also keeps the random password its superuser got at initdb, in a file of its own there.
 */
@ApplicationScoped
public class EmbeddedStore {
    private static final Logger LOG = Logger.getLogger(EmbeddedStore.class);
    private static final String SUPERUSER = "postgres";
    private static final String DATABASE = "postgres";
    private static final String PASSWORD_FILE = "exodus-analyzer.password";

    private LocalPostgres server;
    private String password;

    /** Starts the server (once) and answers its URL. */
    public synchronized String start(Optional<String> dataDir) {
        if (server == null) {
            LOG.info("No exodus.analyzer.store-url set: starting an embedded PostgreSQL server for captured traffic");
            Optional<Path> passwordFile = dataDir.map(dir -> Path.of(dir, PASSWORD_FILE));
            password = passwordFile.filter(Files::isRegularFile).map(EmbeddedStore::read)
                    .orElseGet(EmbeddedStore::randomPassword);
            LocalPostgres.Builder builder = LocalPostgres.builder()
                    .name("analyzer-store")
                    .superuser(SUPERUSER, password)
                    .hostAuthMethod("scram-sha-256");
            dataDir.ifPresent(dir -> builder.dataDirectory(Path.of(dir)));
            server = builder.start();
            passwordFile.ifPresent(file -> write(file, password));
        }
        return server.url(SUPERUSER, password, DATABASE) + "?sslmode=disable";
    }

    @PreDestroy
    synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the embedded store's password from " + file, e);
        }
    }

    private static void write(Path file, String password) {
        try {
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep the embedded store's password in " + file, e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
