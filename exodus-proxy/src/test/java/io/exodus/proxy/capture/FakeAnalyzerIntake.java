package io.exodus.proxy.capture;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * The analyzer's capture endpoint without the analyzer (its own tests pin what it does with a batch; here what the
 * proxy sends is under test): records each batch POSTed to {@code /analyzer/capture}, ungzipped, and answers 202 —
 * or 503 while told it is down, as an analyzer behind a load balancer would while it restarts. Tests read the
 * recordings and switch it over HTTP ({@code GET /recorded/batches}, {@code POST /control/down}, {@code /control/up}),
 * which works whatever class loader the test runs in.
 */
public class FakeAnalyzerIntake implements QuarkusTestResourceLifecycleManager {
    private final Queue<String> batches = new ConcurrentLinkedQueue<>();
    private final Queue<String> encodings = new ConcurrentLinkedQueue<>();
    private volatile boolean down;
    private HttpServer http;
    private ExecutorService threads;

    @Override
    public Map<String, String> start() {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/analyzer/capture", this::onBatch);
            http.createContext("/recorded/batches", exchange -> respond(exchange, 200,
                    "[" + String.join(",", batches) + "]"));
            http.createContext("/recorded/encodings", exchange -> respond(exchange, 200,
                    String.join("\n", encodings)));
            http.createContext("/control/down", exchange -> {
                down = true;
                respond(exchange, 200, "down");
            });
            http.createContext("/control/up", exchange -> {
                down = false;
                respond(exchange, 200, "up");
            });
            http.createContext("/control/clear", exchange -> {
                batches.clear();
                respond(exchange, 200, "cleared");
            });
            threads = Executors.newFixedThreadPool(2);
            http.setExecutor(threads);
            http.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake analyzer intake", e);
        }
        String url = "http://127.0.0.1:" + http.getAddress().getPort();
        return Map.of("exodus.capture.analyzer-url", url, "test.analyzer-intake", url);
    }

    private void onBatch(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (down) {
            respond(exchange, 503, "{\"error\":\"internal\",\"message\":\"restarting\"}");
            return;
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        encodings.add(String.valueOf(encoding));
        if ("gzip".equals(encoding)) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            }
        }
        batches.add(new String(body, StandardCharsets.UTF_8));
        respond(exchange, 202, "{\"accepted\":0}");
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (http != null) {
            http.stop(0);
            threads.shutdownNow();
        }
    }
}
