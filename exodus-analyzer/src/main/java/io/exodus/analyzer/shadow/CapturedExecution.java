package io.exodus.analyzer.shadow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One captured execution of a statement shape.
 *
 * @param at         when the proxy saw it start
 * @param parameters     its values; null when it was captured without them
 * @param parameterTypes the type OIDs its Parse declared (0: inferred); null when not captured
 * @param settings       its session's settings when it ran ({@link io.exodus.capture.SessionSettings}); null when
 *                       the session gave none, or its proxy did not say
 * @param parameterFormats each value's format code (0 text, 1 binary, then in hex); null when all are text
 */
public record CapturedExecution(Instant at, List<String> parameters, List<Long> parameterTypes,
        Map<String, String> settings, List<Integer> parameterFormats) {
}
