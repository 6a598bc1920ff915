package io.exodus.proxy.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Datadog without Datadog: an HTTP server that records what the Datadog registry POSTs to {@code /api/v1/series},
 * and a UDP socket that records the DogStatsD lines an agent would receive. The proxy under test is pointed at
 * both (step 1 s). Tests read the recordings back over HTTP ({@code GET /recorded/series} gives a JSON array of
 * the bodies, {@code GET /recorded/statsd} the lines), which works whatever class loader the test runs in.
 */
public class FakeDatadogIntake implements QuarkusTestResourceLifecycleManager {
    static final String API_KEY = "fake-api-key";

    private final Queue<String> seriesBodies = new ConcurrentLinkedQueue<>();
    private final Queue<String> rejectedCalls = new ConcurrentLinkedQueue<>();
    private final Queue<String> statsdLines = new ConcurrentLinkedQueue<>();
    private HttpServer http;
    private ExecutorService httpThreads;
    private DatagramSocket udp;
    private Thread udpReader;

    @Override
    public Map<String, String> start() {
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            http = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
            http.createContext("/api/v1/series", this::onSeries);
            http.createContext("/recorded/series", exchange -> respond(exchange, 200,
                    "[" + String.join(",", seriesBodies) + "]"));
            http.createContext("/recorded/statsd", exchange -> respond(exchange, 200, String.join("\n", statsdLines)));
            http.createContext("/recorded/rejected", exchange -> respond(exchange, 200,
                    String.join("\n", rejectedCalls)));
            httpThreads = Executors.newFixedThreadPool(2);
            http.setExecutor(httpThreads);
            http.start();
            udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            udpReader = new Thread(this::readStatsd, "fake-dogstatsd");
            udpReader.setDaemon(true);
            udpReader.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Datadog intake", e);
        }
        return Map.of(
                "exodus.metrics.datadog.enabled", "true",
                "exodus.metrics.datadog.api-key", API_KEY,
                "exodus.metrics.datadog.uri", "http://127.0.0.1:" + http.getAddress().getPort(),
                "exodus.metrics.datadog.step", "1s",
                "exodus.metrics.statsd.enabled", "true",
                "exodus.metrics.statsd.host", "127.0.0.1",
                "exodus.metrics.statsd.port", String.valueOf(udp.getLocalPort()),
                "exodus.metrics.statsd.step", "1s",
                "exodus.metrics.tags.env", "test");
    }

    private void onSeries(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String query = String.valueOf(exchange.getRequestURI().getQuery());
        if (!"POST".equals(exchange.getRequestMethod()) || !query.contains("api_key=" + API_KEY)) {
            rejectedCalls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            respond(exchange, 403, "{\"errors\":[\"Forbidden\"]}");
            return;
        }
        seriesBodies.add(body);
        respond(exchange, 202, "{\"status\":\"ok\"}");
    }

    private void readStatsd() {
        byte[] buffer = new byte[65_536];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                continue;
            }
            String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    statsdLines.add(line);
                }
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (http != null) {
            http.stop(0);
            httpThreads.shutdownNow();
        }
        if (udp != null) {
            udp.close();
        }
    }
}
