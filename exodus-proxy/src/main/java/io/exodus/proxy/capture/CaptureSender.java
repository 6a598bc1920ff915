package io.exodus.proxy.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.capture.CaptureBatch;
import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.StatementEvent;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The one thread that ships capture: takes a batch from the buffer when it holds a batch's worth or the flush interval
 * has passed, builds the events, and POSTs them gzip-compressed. A batch that fails (no connection, a timeout, an
 * answer 5xx) is tried again after a wait that doubles, with jitter, up to the cap; after {@code max-attempts} it is
 * dropped and counted, and the next batch is tried after the capped wait. Meanwhile the relays go on filling the
 * buffer, which drops what does not fit: the analyzer being down costs events, never a client's time. The first
 * batch that goes through again ends the backoff.
 * <p>
 * Each batch reports the events dropped since the last delivered one ({@link CaptureBatch#dropped()}).
 */
final class CaptureSender implements Runnable {
    private static final Logger LOG = Logger.getLogger(CaptureSender.class);

    private final CaptureSettings settings;
    private final CaptureBuffer buffer;
    private final AnalyzerClient client;
    private final ObjectMapper json;
    private final String proxyId;
    private final EventAssembler assembler;
    private final LongAdder sent = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private volatile boolean stopping;
    private volatile long stopBy;
    private volatile boolean analyzerReachable = true;
    private volatile String lastProblem;
    /** Dropped events already reported to the analyzer. */
    private long droppedReported;
    private long backoffNanos;

    CaptureSender(CaptureSettings settings, CaptureBuffer buffer, AnalyzerClient client, ObjectMapper json,
            String proxyId) {
        this.settings = settings;
        this.buffer = buffer;
        this.client = client;
        this.json = json;
        this.proxyId = proxyId;
        this.assembler = new EventAssembler(settings.redact());
    }

    @Override
    public void run() {
        buffer.consumer(Thread.currentThread());
        List<CaptureItem> batch = new ArrayList<>(settings.batchEvents());
        long lastSend = System.nanoTime();
        while (true) {
            boolean full = buffer.size() >= settings.batchEvents();
            boolean due = System.nanoTime() - lastSend >= settings.flushInterval().toNanos();
            if (stopping && (buffer.size() == 0 || System.nanoTime() >= stopBy)) {
                return;
            }
            if (!full && !due && !stopping) {
                LockSupport.parkNanos(this, Math.min(settings.flushInterval().toNanos(), 100_000_000L));
                continue;
            }
            batch.clear();
            buffer.drainTo(batch, settings.batchEvents());
            lastSend = System.nanoTime();
            if (!batch.isEmpty() || buffer.droppedTotal() > droppedReported) {
                ship(batch);
            }
        }
    }

    private void ship(List<CaptureItem> captured) {
        List<StatementEvent> events = new ArrayList<>(captured.size());
        List<ShadowMismatchEvent> mismatches = new ArrayList<>(0);
        for (CaptureItem item : captured) {
            try {
                if (item instanceof CapturedStatement statement) {
                    StatementEvent event = assembler.event(statement);
                    if (event != null) {
                        events.add(event);
                    }
                } else if (item instanceof CapturedMismatch mismatch) {
                    mismatches.add(assembler.mismatch(mismatch));
                }
            } catch (RuntimeException invalid) {
                LOG.debugf("Capture: event left out: %s", invalid.getMessage());
                buffer.drop(DropReason.REFUSED);
            }
        }
        long droppedNow = buffer.droppedTotal();
        int shipped = events.size() + mismatches.size();
        byte[] body;
        try {
            body = gzip(json.writeValueAsBytes(new CaptureBatch(proxyId, droppedNow - droppedReported, events,
                    mismatches.isEmpty() ? null : mismatches)));
        } catch (IOException e) {
            LOG.warnf("Capture: a batch could not be written as JSON (%s); %d events dropped", e.getMessage(),
                    shipped);
            buffer.drop(DropReason.REFUSED, shipped);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            if (stopping && System.nanoTime() >= stopBy) {
                buffer.drop(DropReason.ANALYZER_UNAVAILABLE, shipped);
                return;
            }
            String problem;
            try {
                AnalyzerClient.Answer answer = client.postBatch(body);
                if (answer.accepted()) {
                    delivered(shipped, droppedNow);
                    return;
                }
                if (answer.refused()) {
                    LOG.warnf("Capture: the analyzer refused a batch of %d events (%d): %s", shipped,
                            answer.status(), answer.body());
                    lastProblem = "refused: " + answer.status() + " " + answer.body();
                    buffer.drop(DropReason.REFUSED, shipped);
                    return;
                }
                problem = "answered " + answer.status();
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                buffer.drop(DropReason.ANALYZER_UNAVAILABLE, shipped);
                return;
            }
            if (analyzerReachable) {
                LOG.warnf("Capture: the analyzer at %s is unavailable (%s); events are dropped and counted until it "
                        + "is back", client.base(), problem);
            }
            analyzerReachable = false;
            lastProblem = problem;
            backoff();
            if (attempt >= settings.maxAttempts()) {
                buffer.drop(DropReason.ANALYZER_UNAVAILABLE, shipped);
                return;
            }
        }
    }

    private void delivered(int events, long droppedNow) {
        droppedReported = droppedNow;
        sent.add(events);
        batches.increment();
        backoffNanos = 0;
        if (!analyzerReachable) {
            LOG.infof("Capture: the analyzer at %s is back; shipping resumed", client.base());
        }
        analyzerReachable = true;
        lastProblem = null;
    }

    /** Waits before the next try: doubled each time, from retry-backoff up to retry-backoff-cap, plus up to 20 %. */
    private void backoff() {
        long base = settings.retryBackoff().toNanos();
        long cap = Math.max(base, settings.retryBackoffCap().toNanos());
        backoffNanos = backoffNanos == 0 ? base : Math.min(cap, backoffNanos * 2);
        long wait = backoffNanos + (long) (backoffNanos * 0.2 * ThreadLocalRandom.current().nextDouble());
        if (stopping) {
            wait = Math.min(wait, Math.max(0, stopBy - System.nanoTime()));
        }
        long until = System.nanoTime() + wait;
        long left;
        while ((left = until - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(this, left);
            if (stopping && System.nanoTime() >= stopBy) {
                return;
            }
        }
    }

    /**
     * Gzip at the fastest level: batches of normalised statements repeat themselves and shrink about tenfold even so,
     * and the CPU saved is the relay's (the sender shares the machine with the event loops).
     */
    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    /** Ships what is buffered, then returns; waits at most until {@code deadlineNanos}. */
    void stop(Thread thread, long deadlineNanos) throws InterruptedException {
        stopBy = deadlineNanos;
        stopping = true;
        LockSupport.unpark(thread);
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        thread.join(Math.max(1, left));
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(1000);
        }
    }

    long sent() {
        return sent.sum();
    }

    long batches() {
        return batches.sum();
    }

    boolean analyzerReachable() {
        return analyzerReachable;
    }

    String lastProblem() {
        return lastProblem;
    }
}
