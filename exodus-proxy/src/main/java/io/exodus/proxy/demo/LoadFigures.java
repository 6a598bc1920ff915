package io.exodus.proxy.demo;

import java.time.Duration;
import java.util.List;

/**
 * What the demo's clients have seen so far.
 *
 * @param transfers     transfers committed (each one history row)
 * @param reads         balance look-ups answered
 * @param readsOnTarget of those, answered by the target
 * @param errors        requests that failed, connections refused included
 * @param firstErrors   the first few failures, as the clients saw them
 */
record LoadFigures(long transfers, long reads, long readsOnTarget, long errors, Duration elapsed,
        List<String> firstErrors) {

    static final LoadFigures NONE = new LoadFigures(0, 0, 0, 0, Duration.ZERO, List.of());

    double transfersPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? transfers / seconds : 0;
    }

    /** What happened between an earlier look and this one. */
    LoadFigures since(LoadFigures earlier) {
        return new LoadFigures(transfers - earlier.transfers, reads - earlier.reads,
                readsOnTarget - earlier.readsOnTarget, errors - earlier.errors, elapsed.minus(earlier.elapsed),
                firstErrors);
    }

    /** The share of the reads the target answered, in percent; 0 without reads. */
    double targetReadPercent() {
        return reads == 0 ? 0 : 100.0 * readsOnTarget / reads;
    }
}
