package io.exodus.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a Node.js script (a real driver such as postgres.js or node-postgres) against a {@link ConnectionTarget}:
 * the script reads where to connect from the libpq environment (PGHOST, PGPORT, PGUSER, ...), its npm packages are
 * installed once per build into {@code target/node-clients} of the module under test, and it never runs longer than
 * its timeout.
 */
public final class NodeClient {

    private static final Path PACKAGES = Path.of("target", "node-clients").toAbsolutePath();
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");
    private static final Set<String> INSTALLED = new HashSet<>();

    private final Path node;
    private final Duration timeout;

    private NodeClient(Path node, Duration timeout) {
        this.node = Objects.requireNonNull(node);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /**
     * A client whose scripts can require these packages, each pinned as {@code name@x.y.z}; npm installs those not
     * already there (once per build: {@code mvn clean} removes them).
     */
    public static NodeClient with(String... packages) {
        Path node = ClientBinaries.onPath("node")
                .orElseThrow(() -> RequiredTool.missing("node", "apt-get install nodejs npm"));
        install(List.of(packages));
        return new NodeClient(node, DEFAULT_TIMEOUT);
    }

    public NodeClient withTimeout(Duration newTimeout) {
        return new NodeClient(node, newTimeout);
    }

    /** {@code node script arguments...} with the target's libpq environment; killed after the timeout. */
    public CommandResult run(ConnectionTarget target, Path script, String... arguments) {
        Map<String, String> environment = target.libpqEnvironment();
        environment.put("NODE_PATH", PACKAGES.resolve("node_modules").toString());
        return ClientProgram.runScript(node, script, List.of(arguments), environment, timeout);
    }

    private static synchronized void install(List<String> packages) {
        List<String> missing = new ArrayList<>();
        for (String pinned : packages) {
            if (!INSTALLED.contains(pinned) && !installedVersion(pinned)) {
                missing.add(pinned);
            }
        }
        if (!missing.isEmpty()) {
            Path npm = ClientBinaries.onPath("npm")
                    .orElseThrow(() -> RequiredTool.missing("npm", "apt-get install npm"));
            List<String> arguments = new ArrayList<>(List.of("install", "--no-audit", "--no-fund", "--no-save",
                    "--prefix", PACKAGES.toString()));
            arguments.addAll(missing);
            try {
                Files.createDirectories(PACKAGES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ClientProgram.run(npm, arguments, Map.of(), null, INSTALL_TIMEOUT).requireSuccess();
        }
        INSTALLED.addAll(packages);
    }

    /** Whether node_modules holds the package at exactly the pinned version. */
    private static boolean installedVersion(String pinned) {
        int at = pinned.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("Pin the package as name@x.y.z, not " + pinned);
        }
        Path manifest = PACKAGES.resolve("node_modules").resolve(pinned.substring(0, at)).resolve("package.json");
        try {
            if (!Files.isRegularFile(manifest)) {
                return false;
            }
            Matcher version = VERSION.matcher(Files.readString(manifest));
            return version.find() && version.group(1).equals(pinned.substring(at + 1));
        } catch (IOException e) {
            return false;
        }
    }
}
