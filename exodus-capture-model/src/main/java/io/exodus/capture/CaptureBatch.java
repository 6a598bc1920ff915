package io.exodus.capture;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * What one POST to the analyzer's {@code /analyzer/capture} carries: JSON, optionally gzip-compressed
 * ({@code Content-Encoding: gzip}).
 *
 * @param proxyId which proxy replica captured the events (its {@code exodus.migration.proxy-id}); optional
 * @param dropped events the tap dropped since its previous batch because its buffer was full or they were not
 *                sampled; the analyzer reports the total, so that a reader knows how much of the traffic it saw
 * @param events  the statements, in the order the proxy saw them within each session; may be empty
 * @param shadowMismatches live shadow reads whose answers differed between the databases, since the previous batch;
 *                absent when none
 */
public record CaptureBatch(String proxyId, Long dropped, List<StatementEvent> events,
        List<ShadowMismatchEvent> shadowMismatches) {

    /** A batch of statements only, as proxies before shadow mismatches send it. */
    public CaptureBatch(String proxyId, Long dropped, List<StatementEvent> events) {
        this(proxyId, dropped, events, null);
    }

    /** The one Jackson reads with: a record with a second constructor must say which. */
    @JsonCreator
    public CaptureBatch {
        if (events == null) {
            throw new IllegalArgumentException("events is required (an empty list is fine)");
        }
        if (dropped != null && dropped < 0) {
            throw new IllegalArgumentException("dropped must not be negative, was " + dropped);
        }
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null) {
                throw new IllegalArgumentException("events[" + i + "] is null");
            }
        }
        events = List.copyOf(events);
        if (shadowMismatches != null) {
            for (int i = 0; i < shadowMismatches.size(); i++) {
                if (shadowMismatches.get(i) == null) {
                    throw new IllegalArgumentException("shadowMismatches[" + i + "] is null");
                }
            }
            shadowMismatches = List.copyOf(shadowMismatches);
        }
    }
}
