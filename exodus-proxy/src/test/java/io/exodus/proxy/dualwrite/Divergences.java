package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;

/** The divergences recorded so far, every kind summed: a test reads it before and after its workload. */
final class Divergences {
    private Divergences() {
    }

    static double total(DivergenceLog log) {
        double total = 0;
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            total += log.count(kind);
        }
        return total;
    }
}
