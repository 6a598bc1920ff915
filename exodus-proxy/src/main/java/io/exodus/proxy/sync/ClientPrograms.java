package io.exodus.proxy.sync;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.config.PostgresUrl;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * pg_dump and pg_restore of this machine, run as processes. Blocking: callers run them on a worker thread.
 * The password goes to the process in its environment ({@code PGPASSWORD}), never on its command line.
 */
final class ClientPrograms {
    private static final Path DEBIAN_INSTALLATIONS = Path.of("/usr/lib/postgresql");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    private final Path folder;

    private ClientPrograms(Path folder) {
        this.folder = folder;
    }

    /** The folder of exodus.sync.pg-bin, else of the pg_dump on the PATH, else the newest Debian installation's. */
    static ClientPrograms locate(Optional<Path> configured) {
        if (configured.isPresent()) {
            if (!Files.isExecutable(configured.get().resolve("pg_dump"))) {
                throw new IllegalStateException("exodus.sync.pg-bin (" + configured.get() + ") holds no pg_dump");
            }
            return new ClientPrograms(configured.get());
        }
        return onPath().or(ClientPrograms::newestDebian).map(ClientPrograms::new).orElseThrow(() ->
                new IllegalStateException("no pg_dump on the PATH nor in /usr/lib/postgresql/*/bin: install the "
                        + "PostgreSQL client programs of the source's version or newer, or set exodus.sync.pg-bin"));
    }

    int pgDumpMajor() {
        String version = run("pg_dump", List.of("--version"), Map.of());
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.find()) {
            throw new IllegalStateException("cannot read the version of " + folder.resolve("pg_dump") + ": " + version);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Runs a program to its end; its standard output, or an exception carrying its standard error. */
    String run(String program, List<String> arguments, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(folder.resolve(program).toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        try {
            Path errors = Files.createTempFile("exodus-" + program, ".err");
            try {
                builder.redirectError(errors.toFile());
                Process process = builder.start();
                process.getOutputStream().close();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.waitFor() != 0) {
                    throw new IllegalStateException(program + " failed: "
                            + Files.readString(errors, StandardCharsets.UTF_8).strip());
                }
                return output;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(program + " was interrupted", e);
        }
    }

    /** libpq's environment for a database, as pg_dump and pg_restore read it. */
    static Map<String, String> environment(BackendEndpoint endpoint) {
        PostgresUrl url = endpoint.url();
        Map<String, String> env = new HashMap<>();
        env.put("PGHOST", url.host());
        env.put("PGPORT", Integer.toString(url.port()));
        env.put("PGUSER", url.user());
        env.put("PGPASSWORD", url.password() == null ? "" : url.password());
        env.put("PGDATABASE", url.database());
        env.put("PGSSLMODE", url.sslMode().text());
        env.put("PGAPPNAME", "exodus-sync");
        url.sslRootCert().ifPresent(file -> env.put("PGSSLROOTCERT", file));
        return env;
    }

    private static Optional<Path> onPath() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).map(Path::of)
                .filter(dir -> Files.isExecutable(dir.resolve("pg_dump")) && Files.isExecutable(dir.resolve("pg_restore")))
                .findFirst();
    }

    private static Optional<Path> newestDebian() {
        if (!Files.isDirectory(DEBIAN_INSTALLATIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_INSTALLATIONS)) {
            return versions.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .map(dir -> dir.resolve("bin")).filter(bin -> Files.isExecutable(bin.resolve("pg_dump")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
