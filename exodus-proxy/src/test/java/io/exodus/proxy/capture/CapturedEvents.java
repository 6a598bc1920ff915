package io.exodus.proxy.capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.exodus.capture.CaptureBatch;
import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.StatementEvent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** What a {@link FakeAnalyzerIntake} received, read back over HTTP, and its switch. */
public final class CapturedEvents {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String intake;

    public CapturedEvents(String intake) {
        this.intake = intake;
    }

    List<CaptureBatch> batches() {
        try {
            return JSON.readValue(get("/recorded/batches"), new TypeReference<List<CaptureBatch>>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    List<StatementEvent> events() {
        return batches().stream().flatMap(batch -> batch.events().stream()).toList();
    }

    /** Waits until at least {@code count} events match, and returns those that do. */
    List<StatementEvent> await(Predicate<StatementEvent> matching, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<StatementEvent> found;
        do {
            found = events().stream().filter(matching).toList();
            if (found.size() >= count) {
                return found;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " matching events within " + timeout + ", got " + found.size()
                + ": " + found);
    }

    /** Waits until at least {@code count} live shadow mismatches match, and returns those that do. */
    public List<ShadowMismatchEvent> awaitMismatches(Predicate<ShadowMismatchEvent> matching, int count,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ShadowMismatchEvent> found;
        do {
            found = batches().stream().filter(batch -> batch.shadowMismatches() != null)
                    .flatMap(batch -> batch.shadowMismatches().stream()).filter(matching).toList();
            if (found.size() >= count) {
                return found;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " matching shadow mismatches within " + timeout + ", got "
                + found);
    }

    String encodings() {
        return get("/recorded/encodings");
    }

    void down() {
        get("/control/down");
    }

    void up() {
        get("/control/up");
    }

    private String get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(intake + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
