package io.exodus.proxy.capture;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.AnalyzerRecommendations;
import io.exodus.proxy.migration.MigrationState;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pulls the analyzer's recommendations ({@code GET /analyzer/recommendations}) every
 * {@code exodus.capture.recommendations-interval}, and on demand ({@code POST /exodus/migration/recommendations}), into
 * the {@link MigrationState}: the pinned statements apply at once, the rest is shown. A failed pull keeps the last
 * recommendations; it is reported in the status, and the next pull tries again. Off without
 * {@code exodus.capture.analyzer-url}.
 */
@Singleton
public class RecommendationPuller {
    private static final Logger LOG = Logger.getLogger(RecommendationPuller.class);

    private final MigrationState migration;
    private final CaptureSettings settings;
    private final AnalyzerClient client;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private ScheduledExecutorService timer;
    private volatile Instant lastAttempt;
    private volatile String lastProblem;

    public RecommendationPuller(ExodusConfig config, MigrationState migration) {
        this.migration = migration;
        if (config.capture().analyzerUrl().filter(url -> !url.isBlank()).isEmpty()) {
            settings = null;
            client = null;
            return;
        }
        settings = CaptureSettings.from(config.capture(), config.capture().analyzerUrl().get());
        client = new AnalyzerClient(settings.analyzer(), settings.timeout());
    }

    void onStart(@Observes StartupEvent event) {
        if (client == null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "exodus-recommendations");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, settings.recommendationsInterval().toMillis());
        timer.scheduleWithFixedDelay(this::pullQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** What the status shows of the pulls. */
    public record Status(boolean enabled, Instant lastAttempt, String lastProblem) {
    }

    public Status status() {
        return new Status(client != null, lastAttempt, lastProblem);
    }

    public boolean enabled() {
        return client != null;
    }

    /**
     * Pulls now, blocking (not on an event loop); returns the problem, or null when the recommendations were taken.
     */
    public synchronized String pull() {
        if (client == null) {
            return "capture is off: set exodus.capture.analyzer-url (EXODUS_CAPTURE_ANALYZER_URL)";
        }
        lastAttempt = Instant.now();
        String problem;
        try {
            AnalyzerClient.Answer answer = client.getRecommendations();
            if (answer.accepted()) {
                AnalyzerRecommendations latest = json.readValue(answer.body(), AnalyzerRecommendations.class);
                migration.applyRecommendations(latest.fetched(lastAttempt));
                lastProblem = null;
                return null;
            }
            problem = "the analyzer answered " + answer.status() + ": " + answer.body();
        } catch (IOException e) {
            problem = "the analyzer at " + client.base() + " could not be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        if (!problem.equals(lastProblem)) {
            LOG.warnf("Recommendations not pulled (the last ones stay in force): %s", problem);
        }
        lastProblem = problem;
        return problem;
    }

    private void pullQuietly() {
        try {
            pull();
        } catch (RuntimeException e) {
            LOG.warnf(e, "Recommendations not pulled");
        }
    }
}
