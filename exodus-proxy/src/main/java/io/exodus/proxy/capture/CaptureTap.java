package io.exodus.proxy.capture;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.metrics.MetricsConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxy's capture tap ({@code exodus.capture.*}): what the relays ask for a session's {@link SessionCapture}, and
 * the buffer and sender thread behind it. Off (every session gets {@link SessionCapture#NONE}) unless
 * {@code exodus.capture.analyzer-url} is set. Shutdown ships what is buffered, for at most
 * {@code exodus.capture.shutdown-timeout}, after the sessions have ended.
 * <p>
 * Meters (with {@code exodus.metrics.enabled}): {@code exodus.capture.events.sent}, {@code exodus.capture.events.dropped}
 * by {@code reason} ({@link DropReason}), {@code exodus.capture.buffer.events}, {@code exodus.capture.analyzer.reachable}.
 */
@Singleton
public class CaptureTap {
    private static final Logger LOG = Logger.getLogger(CaptureTap.class);

    private final CaptureSettings settings;
    private final CaptureBuffer buffer;
    private final CaptureSender sender;
    private Thread senderThread;
    /**
     * The settings followed of sessions between two relays (a phase change moves them), by session number: the next
     * relay's capture goes on from them instead of the start-up parameters.
     */
    private final Map<Long, SettingsFollower> handedOff = new ConcurrentHashMap<>();
    private static final int MAX_HANDED_OFF = 4096;

    public CaptureTap(ExodusConfig config, MetricsConfig metrics, MeterRegistry registry) {
        if (config.capture().analyzerUrl().filter(url -> !url.isBlank()).isEmpty()) {
            settings = null;
            buffer = null;
            sender = null;
            return;
        }
        settings = CaptureSettings.from(config.capture(), config.capture().analyzerUrl().get());
        buffer = new CaptureBuffer(settings.bufferEvents(), settings.batchEvents());
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
        sender = new CaptureSender(settings, buffer, new AnalyzerClient(settings.analyzer(), settings.timeout()), json,
                config.migration().proxyId().orElseGet(CaptureTap::hostName));
        if (metrics.enabled()) {
            register(registry);
        }
    }

    /** Whether capture is on ({@code exodus.capture.analyzer-url} set). */
    public boolean enabled() {
        return settings != null;
    }

    /**
     * The capture of a new client session, numbered as in its log lines; {@link SessionCapture#NONE} when off.
     *
     * @param startupParameters its start-up packet's parameters: the settings its statements start with
     */
    public SessionCapture openSession(long sessionId, Map<String, String> startupParameters) {
        if (settings == null) {
            return SessionCapture.NONE;
        }
        SettingsFollower followed = handedOff.remove(sessionId);
        if (followed == null) {
            followed = new SettingsFollower(startupParameters, settings.redact(),
                    settings.parameters() != ParameterCapture.OFF);
        }
        return new StatementRecorder(sessionId, followed, settings, buffer, follower -> {
            if (handedOff.size() >= MAX_HANDED_OFF) {
                // A session whose move failed never opens its next capture; such leftovers must not pile up.
                handedOff.clear();
            }
            handedOff.put(sessionId, follower);
        });
    }

    /**
     * A live shadow read whose answers differed (the shadow strategy's), shipped to the analyzer with the statements:
     * bounded and dropped and counted like them when the buffer is full; nothing when capture is off.
     *
     * @param text the read's text as the client sent it; normalised before it leaves the proxy
     */
    public void shadowMismatch(Instant at, String text, String kind, long sourceRows, long targetRows,
            String sourceSqlState, String targetSqlState) {
        if (buffer != null && text != null && !text.isBlank()) {
            buffer.offer(new CapturedMismatch(at, text, kind, sourceRows, targetRows, sourceSqlState,
                    targetSqlState));
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (sender == null) {
            return;
        }
        senderThread = new Thread(sender, "exodus-capture-sender");
        senderThread.setDaemon(true);
        senderThread.start();
        LOG.infof("Capture on: statements go to the analyzer at %s (sample rate %s, parameters %s)",
                settings.analyzer(), settings.sampleRate(), settings.parameters().name().toLowerCase());
    }

    /** After the proxy's own shutdown observer (priority 2500), which waits for the sessions to end. */
    void onStop(@Observes @Priority(4000) ShutdownEvent event) {
        if (senderThread == null) {
            return;
        }
        int left = buffer.size();
        try {
            sender.stop(senderThread, System.nanoTime() + settings.shutdownTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.infof("Capture stopped: %d events were buffered at shutdown, %d shipped in all, %d dropped", left,
                sender.sent(), buffer.droppedTotal());
    }

    /**
     * What {@code GET /exodus/migration} shows of capture.
     *
     * @param dropped by {@link DropReason#tag()}
     */
    public record Status(boolean enabled, String analyzerUrl, long buffered, long sent, long batches,
            Map<String, Long> dropped, Boolean analyzerReachable, String lastProblem) {
    }

    public Status status() {
        if (settings == null) {
            return new Status(false, null, 0, 0, 0, Map.of(), null, null);
        }
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.tag(), buffer.dropped(reason));
        }
        return new Status(true, settings.analyzer().toString(), buffer.size(), sender.sent(), sender.batches(),
                dropped, sender.analyzerReachable(), sender.lastProblem());
    }

    private void register(MeterRegistry registry) {
        FunctionCounter.builder("exodus.capture.events.sent", sender, CaptureSender::sent)
                .description("Statement events the analyzer accepted").register(registry);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("exodus.capture.events.dropped", buffer, b -> b.dropped(reason))
                    .tag("reason", reason.tag())
                    .description("Statements relayed but not shipped to the analyzer, by reason").register(registry);
        }
        Gauge.builder("exodus.capture.buffer.events", buffer, CaptureBuffer::size)
                .description("Statement events waiting for the sender").register(registry);
        Gauge.builder("exodus.capture.analyzer.reachable", sender, s -> s.analyzerReachable() ? 1 : 0)
                .description("1 while the analyzer takes batches, 0 while they fail").register(registry);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "proxy";
        }
    }
}
