package io.exodus.analyzer.shadow;

import java.time.Instant;
import java.util.List;

/**
 * One captured execution of a statement shape.
 *
 * @param at         when the proxy saw it start
 * @param parameters     its values; null when it was captured without them
 * @param parameterTypes the type OIDs its Parse declared (0: inferred); null when not captured
 */
public record CapturedExecution(Instant at, List<String> parameters, List<Long> parameterTypes) {
}
