package io.exodus.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Finds the PostgreSQL client programs (psql, pgbench). The bundled server binaries do not include them; CI installs
 * the postgresql-client package.
 */
final class ClientBinaries {

    private static final Path DEBIAN_INSTALLATIONS = Path.of("/usr/lib/postgresql");
    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();

    private ClientBinaries() {
    }

    static Path locate(String program) {
        return FOUND.computeIfAbsent(program, name -> onPath(name)
                .or(() -> inNewestDebianInstallation(name))
                .orElseThrow(() -> new IllegalStateException("No " + name + " on the PATH nor in "
                        + DEBIAN_INSTALLATIONS + "/*/bin; install it, e.g. apt-get install postgresql-client")));
    }

    /** The program as the shell would find it on the PATH, if it is there. */
    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Optional<Path> inNewestDebianInstallation(String program) {
        if (!Files.isDirectory(DEBIAN_INSTALLATIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_INSTALLATIONS)) {
            return versions
                    .filter(folder -> folder.getFileName().toString().matches("\\d+"))
                    .sorted(Comparator.comparingInt((Path folder) -> Integer.parseInt(folder.getFileName().toString()))
                            .reversed())
                    .map(folder -> folder.resolve("bin").resolve(program))
                    .filter(Files::isExecutable)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
