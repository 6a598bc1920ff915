package io.exodus.proxy.catchup;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: base × 2^(failures − 1), at most the cap, plus up to {@code jitter} of that. */
record CatchUpBackoff(Duration base, Duration cap, double jitter) {

    Duration after(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long baseMillis = Math.max(1, base.toMillis());
        int doublings = Math.min(failures - 1, 30);
        long millis = Math.min(cap.toMillis(), baseMillis << doublings);
        double spread = Math.max(0, Math.min(1, jitter));
        long extra = spread == 0 ? 0 : (long) (ThreadLocalRandom.current().nextDouble() * spread * millis);
        return Duration.ofMillis(millis + extra);
    }
}
