package io.exodus.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a client binary to completion with a given environment and stdin, never longer than a timeout. */
final class ClientProgram {

    private static final Duration GRACE_AFTER_KILL = Duration.ofSeconds(10);

    private ClientProgram() {
    }

    /**
     * @param stdin text to feed on standard input, or null for none
     * @throws IllegalStateException when the program outlives the timeout (it is killed first)
     */
    static CommandResult run(Path program, List<String> arguments, Map<String, String> environment, String stdin,
            Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(arguments);
        Path folder = null;
        try {
            // Files instead of pipes: no pump threads, and a chatty program can never block on a full pipe.
            folder = Files.createTempDirectory("exodus-client-");
            Path in = Files.writeString(folder.resolve("stdin"), stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            Path out = folder.resolve("stdout");
            Path err = folder.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // Inherited PG* variables (PGSERVICE, PGSSLROOTCERT, ...) would quietly change where clients go.
            builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
            builder.environment().put("LC_ALL", "C");
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(GRACE_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + " and was killed.\nstdout:\n" + read(out) + "\nstderr:\n" + read(err));
            }
            return new CommandResult(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + program, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + program, e);
        } finally {
            deleteQuietly(folder);
        }
    }

    /** An interpreter ({@code node}, {@code python3}) running a script file with arguments, as {@link #run}. */
    static CommandResult runScript(Path interpreter, Path script, List<String> arguments,
            Map<String, String> environment, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(script.toAbsolutePath().toString());
        command.addAll(arguments);
        return run(interpreter, command, environment, null, timeout);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException ignored) {
            // a stray temp file is harmless
        }
    }
}
