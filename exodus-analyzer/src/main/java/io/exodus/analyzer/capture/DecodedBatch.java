package io.exodus.analyzer.capture;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.NormalizedStatement;

import java.util.List;

/**
 * A batch that passed every check, with each event's text normalised again by the analyzer (the proxy may send raw
 * text; what is stored never holds a literal).
 *
 * @param statements one per event, in the same order
 */
public record DecodedBatch(CaptureBatch batch, List<NormalizedStatement> statements) {
}
