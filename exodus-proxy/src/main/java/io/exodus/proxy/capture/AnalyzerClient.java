package io.exodus.proxy.capture;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The proxy's two requests to the analyzer, with the JDK's HTTP client, blocking: called from the capture's own
 * threads only, never from an event loop.
 */
final class AnalyzerClient {
    private final URI capture;
    private final URI recommendations;
    private final Duration timeout;
    private final HttpClient http;

    AnalyzerClient(URI analyzer, Duration timeout) {
        this.capture = URI.create(analyzer + "/analyzer/capture");
        this.recommendations = URI.create(analyzer + "/analyzer/recommendations");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** An answer: its status and body. */
    record Answer(int status, String body) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }

        /** 4xx: the analyzer will not take this request however often it is sent. */
        boolean refused() {
            return status >= 400 && status < 500 && status != 408 && status != 429;
        }
    }

    /** POSTs one gzip-compressed JSON batch. */
    Answer postBatch(byte[] gzippedJson) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(capture).timeout(timeout)
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzippedJson)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    Answer getRecommendations() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(recommendations).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    URI base() {
        return URI.create(capture.toString().substring(0, capture.toString().length() - "/analyzer/capture".length()));
    }
}
