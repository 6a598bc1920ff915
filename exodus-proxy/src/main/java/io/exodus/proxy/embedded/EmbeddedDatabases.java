package io.exodus.proxy.embedded;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.config.ExodusConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The zero-setup default: when no source URL is configured, Exodus starts two PostgreSQL servers of its own
 * on this machine (a source and a target) and proxies them, so that a first run needs nothing but a JDK.
 */
@ApplicationScoped
public class EmbeddedDatabases {
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabases.class);
    private static final String SUPERUSER = "postgres";

    /** The URLs of the started servers. */
    public record Urls(String source, String target) {
    }

    private final List<LocalPostgres> servers = new ArrayList<>();

    public synchronized Urls start(ExodusConfig.Embedded config) {
        String password = config.password().orElseGet(() -> config.dataDir()
                .map(dir -> keptPassword(Path.of(dir))).orElseGet(EmbeddedDatabases::randomPassword));
        LOG.info("No exodus.source.url set: starting two embedded PostgreSQL servers (source and target)");
        LocalPostgres source = start("source", config.sourcePort(), password, config);
        LocalPostgres target = start("target", config.targetPort(), password, config);
        return new Urls(url(source, password, config), url(target, password, config));
    }

    private static String url(LocalPostgres server, String password, ExodusConfig.Embedded config) {
        if (!config.unixSockets()) {
            return server.url(SUPERUSER, password, "postgres") + "?sslmode=disable";
        }
        return server.socketUrl(SUPERUSER, password, "postgres").orElseThrow(() -> new IllegalStateException(
                "exodus.embedded.unix-sockets=true, but the embedded " + server.name() + " has no socket folder (its "
                        + "temporary folder's path is too long for a socket address; set TMPDIR to a shorter one)"));
    }

    private LocalPostgres start(String name, int port, String password, ExodusConfig.Embedded config) {
        LocalPostgres.Builder builder = LocalPostgres.builder()
                .name(name)
                .port(port)
                .superuser(SUPERUSER, password)
                .hostAuthMethod("scram-sha-256")
                .setting("max_prepared_transactions", "64")
                .setting("wal_level", "logical")
                .setting("max_connections", "200")
                // Stopped by stop() below, once the proxy has drained its sessions: the library's own JVM hook
                // would stop the servers under them (Quarkus's shutdown runs in a JVM hook too, at the same time).
                .stopWithJvm(false);
        config.dataDir().ifPresent(dir -> builder.dataDirectory(Path.of(dir, name)));
        LocalPostgres server = builder.start();
        servers.add(server);
        return server;
    }

    @PreDestroy
    synchronized void stop() {
        servers.forEach(LocalPostgres::close);
        servers.clear();
    }

    /**
     * The superuser's password of servers kept in {@code dataDir}: drawn at their first start and written beside them
     * (readable by this user alone), since servers kept across runs refuse any other.
     */
    private static String keptPassword(Path dataDir) {
        Path file = dataDir.resolve("exodus-superuser-password");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(dataDir);
            String password = randomPassword();
            Files.writeString(file, password, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                LOG.debugf("%s: no POSIX permissions on this file system", file);
            }
            return password;
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the embedded servers' password in " + file + " ("
                    + e.getMessage() + "): set exodus.embedded.password (EXODUS_EMBEDDED_PASSWORD)", e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
