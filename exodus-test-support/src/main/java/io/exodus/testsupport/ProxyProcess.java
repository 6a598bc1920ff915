package io.exodus.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged proxy running in its own JVM ({@code java -jar quarkus-run.jar}), so tests can kill it like a real
 * deployment. Its stdout and stderr go to a log file under target/proxy-logs.
 */
public final class ProxyProcess implements AutoCloseable {

    /** System property naming the runnable jar; relative paths resolve against the project root. */
    public static final String JAR_PROPERTY = "exodus.proxy.jar";
    public static final String DEFAULT_JAR = "exodus-proxy/target/quarkus-app/quarkus-run.jar";

    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(30);
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    private static final Duration CONNECT_ATTEMPT = Duration.ofMillis(500);
    private static final long POLL_MILLIS = 100;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Process process;
    private final Path logFile;

    private ProxyProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts the jar named by {@value #JAR_PROPERTY} (default {@value #DEFAULT_JAR}) with these extra variables. */
    public static ProxyProcess start(Map<String, String> environment) {
        return start(configuredJar(), environment, List.of());
    }

    /**
     * @param jvmArguments options placed before -jar, such as "-Dquarkus.log.level=DEBUG" or "-Xmx256m"
     */
    public static ProxyProcess start(Path jar, Map<String, String> environment, List<String> jvmArguments) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No proxy jar at " + jar + "; build it first (mvn -pl exodus-proxy package)"
                    + " or set -D" + JAR_PROPERTY);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArguments);
        command.add("-jar");
        command.add(jar.toString());
        Path logFile = newLogFile();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // Tests share database servers: a fleet's state left in the source by one test's proxy must not steer the
        // next one's. Tests of the control plane turn it on.
        builder.environment().put("EXODUS_CONTROL_ENABLED", "false");
        builder.environment().putAll(environment);
        try {
            return new ProxyProcess(builder.start(), logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + String.join(" ", command), e);
        }
    }

    /** Waits until 127.0.0.1:port accepts TCP connections; fails early, with the log, if the proxy exits. */
    public ProxyProcess awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The proxy exited with " + process.exitValue()
                        + " before listening on port " + port + ". Its log:\n" + logText());
            }
            if (accepts(port)) {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The proxy did not listen on port " + port + " within " + timeout
                        + ". Its log:\n" + logText());
            }
            sleep(POLL_MILLIS);
        }
    }

    /** SIGKILL to the proxy and everything it started, as a crash or an OOM killer would; waits until it is gone. */
    public void kill9() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        awaitExit(AFTER_KILL);
    }

    /** SIGTERM, letting the proxy shut down gracefully; true if it exited within the timeout. */
    public boolean stop(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** {@link #stop(Duration)} with 30 seconds. */
    public boolean stop() {
        return stop(GRACEFUL_STOP);
    }

    /** Stops the proxy, and kills it if it is still alive 30 seconds later. */
    @Override
    public void close() {
        if (process.isAlive() && !stop()) {
            kill9();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or empty while the proxy runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public String logText() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_ATTEMPT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path configuredJar() {
        Path jar = Path.of(System.getProperty(JAR_PROPERTY, DEFAULT_JAR));
        return jar.isAbsolute() ? jar : ProjectRoot.find().resolve(jar).normalize();
    }

    private static Path newLogFile() {
        try {
            Path folder = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "proxy-logs"));
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            return folder.resolve("proxy-" + stamp + "-" + SEQUENCE.incrementAndGet() + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create target/proxy-logs", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the proxy", e);
        }
    }
}
