package io.exodus.proxy.migration;

import java.time.Duration;

/**
 * How long this replica may act on the fleet's state it holds without hearing from the fleet again. The control plane
 * confirms the lease each time it sees that the fleet's current version is the one this replica applied; once the last
 * confirmation is older than {@code exodus.control.stale-after}, the replica is stale: a newer state may exist that it
 * has not read, so it refuses the writes such a state could route differently (docs/adr/0032). The check a session
 * makes is one volatile read and one clock read.
 */
public final class StateLease {
    private final boolean bounded;
    private final long staleAfterNanos;
    /** {@link System#nanoTime()} from which the replica is stale; at first, its construction: nothing confirmed yet. */
    private volatile long staleFrom;

    private StateLease(boolean bounded, long staleAfterNanos, long nowNanos) {
        this.bounded = bounded;
        this.staleAfterNanos = staleAfterNanos;
        this.staleFrom = nowNanos;
    }

    /** The lease of a replica whose state is its own (no control plane): it never goes stale. */
    public static StateLease unbounded() {
        return new StateLease(false, 0, 0);
    }

    /** A lease that nothing has confirmed yet: stale until the first confirmation. */
    public static StateLease unconfirmed(Duration staleAfter, long nowNanos) {
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("exodus.control.stale-after must be positive, not " + staleAfter);
        }
        return new StateLease(true, staleAfter.toNanos(), nowNanos);
    }

    /**
     * The fleet's current version was the one this replica applied when the read that says so was sent, at
     * {@code sentAtNanos}: the lease runs from then, not from the answer, so that a slow answer does not stretch it.
     * A confirmation older than one already taken changes nothing.
     */
    public synchronized void confirm(long sentAtNanos) {
        long until = sentAtNanos + staleAfterNanos;
        if (until - staleFrom > 0) {
            staleFrom = until;
        }
    }

    public boolean stale(long nowNanos) {
        return bounded && nowNanos - staleFrom >= 0;
    }

    /** How long after its last confirmation the replica goes stale. */
    public Duration staleAfter() {
        return Duration.ofNanos(staleAfterNanos);
    }
}
