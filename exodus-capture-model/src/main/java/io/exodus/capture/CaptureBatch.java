package io.exodus.capture;

import java.util.List;

/**
 * What one POST to the analyzer's {@code /analyzer/capture} carries: JSON, optionally gzip-compressed
 * ({@code Content-Encoding: gzip}).
 *
 * @param proxyId which proxy replica captured the events (its {@code exodus.migration.proxy-id}); optional
 * @param dropped events the tap dropped since its previous batch because its buffer was full or they were not
 *                sampled; the analyzer reports the total, so that a reader knows how much of the traffic it saw
 * @param events  the statements, in the order the proxy saw them within each session; may be empty
 */
public record CaptureBatch(String proxyId, Long dropped, List<StatementEvent> events) {

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
    }
}
