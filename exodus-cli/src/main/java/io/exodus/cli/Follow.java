package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a long step's status until it ends, showing each reading: the loop behind sync's and verify's progress. */
final class Follow {
    /** Often enough for a progress line that moves, seldom enough to cost the proxy nothing. */
    static final Duration INTERVAL = Duration.ofMillis(500);

    private Follow() {
    }

    /** The first reading that {@code finished} accepts; every reading before it, and that one, is shown. */
    static JsonNode until(Supplier<JsonNode> read, Predicate<JsonNode> finished, Consumer<JsonNode> show) {
        while (true) {
            JsonNode reading = read.get();
            show.accept(reading);
            if (finished.test(reading)) {
                return reading;
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(ExitCode.UNEXPECTED, "interrupted while following the step");
            }
        }
    }
}
