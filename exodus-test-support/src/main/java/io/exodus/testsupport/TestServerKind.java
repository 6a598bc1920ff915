package io.exodus.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the harness's shared PostgreSQL servers run: {@code -Dexodus.test.postgres=embedded} (the default, servers
 * started from binaries on this machine, docs/adr/0003) or {@code testcontainers}. Testcontainers needs a Docker
 * engine; without one the switch falls back to the embedded servers and says so, so that a suite asked to run in
 * containers on a machine without Docker still runs, and nobody mistakes where it ran.
 *
 * <p>A container-backed pair is not built: the tests stop, crash and restart the shared servers through
 * {@code LocalPostgres} (its data folder, its postmaster), which a container does not offer. Where an engine answers,
 * asking for containers therefore fails with that reason instead of running elsewhere than asked.
 */
public enum TestServerKind {
    EMBEDDED,
    TESTCONTAINERS;

    public static final String PROPERTY = "exodus.test.postgres";
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    private static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
    private static final System.Logger LOG = System.getLogger(TestServerKind.class.getName());

    /** What the harness runs on, from the system property and the Docker engine (DOCKER_HOST) of this machine. */
    public static TestServerKind chosen() {
        Choice choice = choose(System.getProperty(PROPERTY), System.getenv("DOCKER_HOST"));
        if (!choice.message().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, choice.message());
        }
        if (choice.refused()) {
            throw new IllegalStateException(choice.message());
        }
        return choice.kind();
    }

    /**
     * @param kind    where the servers run
     * @param message why that is not what was asked for, empty when it is
     * @param refused the request cannot be served at all
     */
    public record Choice(TestServerKind kind, String message, boolean refused) {
    }

    /** The decision, for a requested value (null: the default) and a DOCKER_HOST (null: Docker's default socket). */
    public static Choice choose(String requested, String dockerHost) {
        TestServerKind kind = parse(requested);
        if (kind == EMBEDDED) {
            return new Choice(EMBEDDED, "", false);
        }
        String endpoint = dockerHost == null || dockerHost.isBlank() ? DEFAULT_DOCKER_HOST : dockerHost;
        String unanswered = ping(endpoint);
        if (unanswered != null) {
            return new Choice(EMBEDDED, "-D" + PROPERTY + "=testcontainers: no Docker engine answers at " + endpoint
                    + " (" + unanswered + "); the tests run on embedded PostgreSQL servers instead, as without the"
                    + " switch", false);
        }
        return new Choice(TESTCONTAINERS, "-D" + PROPERTY + "=testcontainers: a Docker engine answers at " + endpoint
                + ", but the harness cannot run its shared servers as containers yet (its tests stop, crash and"
                + " restart them through LocalPostgres, which a container does not offer); run without the switch."
                + " ExodusContainer (exodus-testcontainers) is what runs Exodus itself in a container", true);
    }

    private static TestServerKind parse(String requested) {
        if (requested == null || requested.isBlank()) {
            return EMBEDDED;
        }
        for (TestServerKind kind : values()) {
            if (kind.name().toLowerCase(Locale.ROOT).equals(requested.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested + " is neither embedded nor testcontainers");
    }

    /** Docker's {@code GET /_ping}: null when the engine answers OK, else what went wrong. */
    static String ping(String endpoint) {
        URI uri = URI.create(endpoint);
        byte[] request = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try {
            String answer = switch (uri.getScheme()) {
                case "unix" -> overUnixSocket(Path.of(uri.getPath()), request);
                case "tcp", "http" -> overTcp(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort(), request);
                default -> throw new IOException("an endpoint Exodus' probe cannot reach; Testcontainers might");
            };
            return answer.startsWith("HTTP/1.") && answer.contains(" 200 ") && answer.endsWith("OK") ? null
                    : "it answered " + answer.lines().findFirst().orElse("nothing");
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private static String overUnixSocket(Path socket, byte[] request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request));
            // Blocking reads on a Unix socket have no timeout; the engine answers _ping at once or not at all.
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // until the engine closes (HTTP/1.0)
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        }
    }

    private static String overTcp(String host, int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PING_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PING_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }
}
