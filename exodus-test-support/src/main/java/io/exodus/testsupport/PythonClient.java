package io.exodus.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Runs a Python script (a real driver such as psycopg 3) against a {@link ConnectionTarget}: the script reads where to
 * connect from the libpq environment, and never runs longer than its timeout. The interpreter is the first that can
 * import the driver: Debian's {@code /usr/bin/python3} (where {@code apt-get install python3-psycopg} puts it)
 * before a {@code python3} on the PATH, which may be another installation without Debian's packages.
 */
public final class PythonClient {

    private static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Module name to the interpreter that imports it, probed once. */
    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();

    private final Path python;
    private final Duration timeout;

    private PythonClient(Path python, Duration timeout) {
        this.python = Objects.requireNonNull(python);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** A client whose scripts can import this module, e.g. {@code psycopg} from Debian's python3-psycopg. */
    public static PythonClient with(String module, String debianPackage) {
        Path python = FOUND.computeIfAbsent(module, PythonClient::importing);
        if (python == null) {
            throw RequiredTool.missing("The Python module " + module, "apt-get install " + debianPackage);
        }
        return new PythonClient(python, DEFAULT_TIMEOUT);
    }

    public PythonClient withTimeout(Duration newTimeout) {
        return new PythonClient(python, newTimeout);
    }

    /** {@code python3 script arguments...} with the target's libpq environment; killed after the timeout. */
    public CommandResult run(ConnectionTarget target, Path script, String... arguments) {
        return ClientProgram.runScript(python, script, List.of(arguments), target.libpqEnvironment(), timeout);
    }

    /** The first interpreter that imports the module, or null (not cached, so that an install is seen). */
    private static Path importing(String module) {
        return Stream.concat(Stream.of(DEBIAN_PYTHON), ClientBinaries.onPath("python3").stream())
                .filter(Files::isExecutable)
                .filter(candidate -> imports(candidate, module))
                .findFirst()
                .orElse(null);
    }

    private static boolean imports(Path python, String module) {
        return ClientProgram.run(python, List.of("-c", "import " + module), Map.of(), null, PROBE_TIMEOUT)
                .succeeded();
    }
}
