package io.exodus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The proxy's admin API over HTTP: every request carries the bearer token (when given) and the actor that the audit
 * log records ({@code X-Exodus-Actor}).
 */
final class AdminClient {
    static final String ACTOR_HEADER = "X-Exodus-Actor";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final Optional<String> token;
    private final String actor;
    private final Duration timeout;
    private final ObjectMapper json;
    private final HttpClient http;

    /**
     * @param base    the proxy's HTTP address, a path prefix included when an ingress adds one
     * @param timeout how long one request may take: a change answers once every replica applied it
     */
    AdminClient(URI base, Optional<String> token, String actor, Duration timeout, ObjectMapper json) {
        this.base = base;
        this.token = token.filter(t -> !t.isBlank());
        this.actor = actor;
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    Answer get(String path) {
        return send(request(path).GET());
    }

    Answer post(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    Answer put(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    Answer delete(String path) {
        return send(request(path).DELETE());
    }

    URI base() {
        return base;
    }

    private HttpRequest.Builder request(String path) {
        String prefix = base.toString().replaceAll("/+$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(prefix + path)).timeout(timeout)
                .header("Accept", "application/json").header(ACTOR_HEADER, actor);
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return request;
    }

    private Answer send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection to " + base + " within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            // Connected, then no answer: a change may still be under way on the proxy.
            throw unreachable(request.method() + " " + request.uri().getPath() + " got no answer within "
                    + timeout.toSeconds() + " s (--timeout); it may still be running: see exodus status");
        } catch (ConnectException e) {
            throw unreachable("nothing answers at " + base + " (connection refused)");
        } catch (IOException e) {
            throw unreachable("no answer from " + base + ": " + (e.getMessage() == null ? e : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.UNEXPECTED, "interrupted");
        }
        return new Answer(response.statusCode(), parse(response.body()), response.body());
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private CliFailure unreachable(String message) {
        return new CliFailure(ExitCode.UNREACHABLE, message + "; check --url (EXODUS_ADMIN_URL): the proxy's HTTP "
                + "port, 8080 by default");
    }
}
