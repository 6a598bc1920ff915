package io.exodus.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs the real pg_dump and pg_restore against a {@link ConnectionTarget}: a custom-format archive and its restore. */
public final class PgDump {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private PgDump() {
    }

    /** {@code pg_dump -Fc} of the given tables (all when none) into {@code archive}. */
    public static CommandResult dumpCustom(ConnectionTarget source, Path archive, String... tables) {
        List<String> arguments = new ArrayList<>(List.of("-Fc", "-f", archive.toString()));
        for (String table : tables) {
            arguments.add("-t");
            arguments.add(table);
        }
        return ClientProgram.run(ClientBinaries.locate("pg_dump"), arguments, source.libpqEnvironment(), null,
                TIMEOUT);
    }

    /** {@code pg_restore} of an archive into the target's database, with further options (such as --data-only). */
    public static CommandResult restore(ConnectionTarget target, Path archive, String... options) {
        List<String> arguments = new ArrayList<>(List.of("--exit-on-error", "-d", target.database()));
        arguments.addAll(List.of(options));
        arguments.add(archive.toString());
        return ClientProgram.run(ClientBinaries.locate("pg_restore"), arguments, target.libpqEnvironment(), null,
                TIMEOUT);
    }
}
