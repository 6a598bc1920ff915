package io.exodus.localpg;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a PostgreSQL server tool (initdb, pg_ctl, postgres) to completion, never longer than a timeout. */
final class ExternalCommand {

    private static final Duration GRACE_AFTER_KILL = Duration.ofSeconds(10);

    private ExternalCommand() {
    }

    static CommandOutcome run(List<String> command, Duration timeout) {
        Path outputFile = null;
        try {
            // Output goes to a file, not a pipe: pg_ctl forks the postmaster, and a child that inherited our pipe
            // would keep it open long after pg_ctl exited, so reading a pipe to its end could hang.
            outputFile = Files.createTempFile("exodus-pg-command", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            sanitize(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(GRACE_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS);
                throw new LocalPostgresException(String.join(" ", command) + " did not finish within " + timeout
                        + "; its output so far:\n" + read(outputFile));
            }
            return new CommandOutcome(process.exitValue(), read(outputFile));
        } catch (IOException e) {
            throw new LocalPostgresException("Could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPostgresException("Interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(outputFile);
        }
    }

    /**
     * The caller's PG* variables (PGDATA, PGPORT, ...) would silently redirect the tools to another cluster, and a
     * non-English locale would translate the log lines this library looks for.
     */
    private static void sanitize(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith("PG"));
        environment.put("LC_ALL", "C");
        environment.put("LANG", "C");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stray file in the temp folder is harmless
        }
    }
}
