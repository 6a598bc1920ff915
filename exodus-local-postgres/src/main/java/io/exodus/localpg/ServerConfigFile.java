package io.exodus.localpg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The settings this library owns live in their own file, included from postgresql.conf and rewritten before every
 * start. Passing them through a config file rather than pg_ctl's -o avoids shell quoting of arbitrary values.
 */
final class ServerConfigFile {

    private static final String FILE_NAME = "exodus.conf";
    private static final String INCLUDE_LINE = "include_if_exists = '" + FILE_NAME + "'";

    private ServerConfigFile() {
    }

    static void write(Path dataDirectory, Map<String, String> settings) {
        StringBuilder content = new StringBuilder(
                "# Written by Exodus LocalPostgres before every start; edits here are overwritten.\n");
        settings.forEach((name, value) -> content.append(name).append(" = ").append(quoted(value)).append('\n'));
        try {
            Files.writeString(dataDirectory.resolve(FILE_NAME), content, StandardCharsets.UTF_8);
            includeFromMainConfig(dataDirectory.resolve("postgresql.conf"));
        } catch (IOException e) {
            throw new LocalPostgresException("Could not write the server settings into " + dataDirectory, e);
        }
    }

    private static void includeFromMainConfig(Path postgresqlConf) throws IOException {
        String current = Files.readString(postgresqlConf, StandardCharsets.UTF_8);
        if (!current.contains(INCLUDE_LINE)) {
            // Last in the file, so these settings win over initdb's defaults.
            Files.writeString(postgresqlConf, "\n" + INCLUDE_LINE + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }
    }

    private static String quoted(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
