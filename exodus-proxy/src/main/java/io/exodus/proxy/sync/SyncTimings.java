package io.exodus.proxy.sync;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Where a sync's wall time went, step by step. Laps rather than nested timers: beginning a step ends the one before,
 * so the steps never overlap and their sum stays within the sync's wall time whatever order they run in (a catch-up
 * again after a switch attempt adds to the catch-up's).
 */
final class SyncTimings {
    private final Map<SyncStep, Long> nanos = new EnumMap<>(SyncStep.class);
    private SyncStep current;
    private long currentSince;

    synchronized void begin(SyncStep step) {
        long now = System.nanoTime();
        endCurrent(now);
        current = step;
        currentSince = now;
    }

    synchronized void end() {
        endCurrent(System.nanoTime());
        current = null;
    }

    private void endCurrent(long now) {
        if (current != null) {
            nanos.merge(current, now - currentSince, Long::sum);
        }
    }

    /** Milliseconds per step, in the steps' order, the one running counted so far; steps not run are left out. */
    synchronized Map<String, Long> millis() {
        Map<SyncStep, Long> sofar = new EnumMap<>(nanos);
        if (current != null) {
            sofar.merge(current, System.nanoTime() - currentSince, Long::sum);
        }
        Map<String, Long> millis = new LinkedHashMap<>();
        sofar.forEach((step, value) -> millis.put(step.apiName(), value / 1_000_000));
        return millis;
    }

    /** "checks 120 ms, schema-dump 310 ms, …", for the log. */
    String summary() {
        StringJoiner text = new StringJoiner(", ");
        millis().forEach((step, value) -> text.add(step + " " + value + " ms"));
        return text.toString();
    }
}
