package io.exodus.it.regress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.exodus.it.regress.RegressionSuite.SuiteCopy;
import io.exodus.testsupport.ConnectionTarget;

/**
 * PostgreSQL's pg_regress as {@code make installcheck} runs it against an existing server, here whatever listens on
 * the given address (a server, or Exodus in front of one): the parallel schedule one test at a time
 * ({@code --max-connections=1}), in a {@code regression} database it drops and creates itself. pg_regress and psql
 * come from Debian's postgresql-client package of the server's major version.
 */
final class PgRegress {

    private static final Duration TIMEOUT = Duration.ofMinutes(12);

    private PgRegress() {
    }

    /**
     * Runs the suite; returns what passed and failed.
     *
     * @param label         names the run in reports: "direct", "phase direct", "dual-write"
     * @param where         host, port, user and password to connect with (its database is not used)
     * @param majorVersion  picks Debian's client installation, e.g. "15"
     * @param outputFolder  pg_regress's --outputdir, made writable for the server: tests COPY into results/
     */
    static RegressionRun run(String label, SuiteCopy suite, ConnectionTarget where, String majorVersion,
            Path outputFolder) {
        Path installation = Path.of("/usr/lib/postgresql", majorVersion);
        Path pgRegress = installation.resolve("lib/pgxs/src/test/regress/pg_regress");
        if (!Files.isExecutable(pgRegress)) {
            throw new IllegalStateException("No " + pgRegress + ": install postgresql-client-" + majorVersion);
        }
        List<String> command = List.of(pgRegress.toString(),
                "--inputdir=" + suite.inputDirectory(),
                "--outputdir=" + outputFolder,
                "--bindir=" + installation.resolve("bin"),
                "--dlpath=" + suite.libraryDirectory(),
                "--schedule=" + suite.schedule(),
                "--max-connections=1",
                "--host=" + where.host(),
                "--port=" + where.port(),
                "--user=" + where.user());
        try {
            Files.createDirectories(outputFolder.resolve("results"));
            for (Path folder : List.of(outputFolder, outputFolder.resolve("results"))) {
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Path log = outputFolder.resolve("pg_regress.log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(outputFolder.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            // Inherited PG* variables would change where psql goes or how it prints.
            builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
            builder.environment().put("PGPASSWORD", where.password());
            builder.environment().put("PGSSLMODE", where.sslmode());
            builder.environment().put("LC_ALL", "C");
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("pg_regress (" + label + ") did not finish within " + TIMEOUT
                        + "; its output so far is in " + log);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            return RegressionRun.read(label, outputFolder, log, took);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + pgRegress, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while pg_regress ran", e);
        }
    }
}
