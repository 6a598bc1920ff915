package io.exodus.it.regress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.opentest4j.TestAbortedException;

/**
 * PostgreSQL's own regression suite of one release, prepared once per machine by
 * {@code scripts/regression-suite/prepare.sh} (Debian's source package; regress.so compiled against Debian's server
 * headers) in a cache under the user's home, and copied for each run into a folder the servers can read.
 *
 * @param folder  the prepared suite: regress/ (sql, expected, data, parallel_schedule, resultmap) and lib/
 * @param release the PostgreSQL release it comes from, such as "15.18"
 */
record RegressionSuite(Path folder, String release) {

    private static final String PREPARE_SCRIPT = "scripts/regression-suite/prepare.sh";
    private static final long PREPARE_TIMEOUT_MINUTES = 10;

    /**
     * The suite closest to the server's version, prepared now if the cache has none. Where it cannot be prepared
     * (no deb-src entries, no gcc), a developer's run is skipped with what to install; under CI, whose .ci/run
     * installs all of it, the test fails.
     */
    static RegressionSuite forServer(String serverVersion) {
        Path script = projectRoot().resolve(PREPARE_SCRIPT);
        try {
            Path log = Files.createTempFile("exodus-regress-prepare-", ".log");
            try {
                Process process = new ProcessBuilder("bash", script.toString(), serverVersion)
                        .redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
                if (!process.waitFor(PREPARE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new IllegalStateException(script + " did not finish within " + PREPARE_TIMEOUT_MINUTES
                            + " minutes:\n" + Files.readString(log));
                }
                List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw unavailable(script + " failed (exit " + process.exitValue() + "):\n"
                            + String.join("\n", output));
                }
                Path folder = Path.of(output.get(output.size() - 1).strip());
                String release = folder.getFileName().toString().replaceFirst("^postgresql-", "");
                return new RegressionSuite(folder, release);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing the regression suite", e);
        }
    }

    /**
     * Copies the suite into {@code folder} for one run, readable by the servers whichever user they run as, with the
     * alternative expected outputs this server version needs.
     */
    SuiteCopy copyInto(Path folder, String serverVersion) {
        try {
            copyTree(this.folder, folder);
            SuiteCopy copy = new SuiteCopy(folder.resolve("regress"), folder.resolve("lib"));
            AlternativeExpectedOutputs.forRun(release, serverVersion).writeInto(copy.expectedDirectory());
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the regression suite into " + folder, e);
        }
    }

    /** The suite as one run uses it: pg_regress's --inputdir and --dlpath. */
    record SuiteCopy(Path inputDirectory, Path libraryDirectory) {
        Path schedule() {
            return inputDirectory.resolve("parallel_schedule");
        }

        Path expectedDirectory() {
            return inputDirectory.resolve("expected");
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path copy = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(
                            Files.isExecutable(path) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }

    private static RuntimeException unavailable(String message) {
        String advice = "\nThe regression suite needs Debian's deb-src entries, gcc, libc6-dev and bzip2"
                + " (.ci/run sets them up on Debian; see docs/regression-suite.md).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return new IllegalStateException(message + advice);
        }
        return new TestAbortedException(message + advice);
    }

    static Path projectRoot() {
        String root = System.getProperty("exodus.project.root");
        if (root == null) {
            throw new IllegalStateException("System property exodus.project.root is not set (the pom sets it)");
        }
        return Path.of(root);
    }
}
