package io.exodus.proxy.migration;

import io.vertx.core.Future;

/**
 * Asks the fleet, now, whether its state is still the one this replica applied: what a request that finds the
 * {@link StateLease} expired waits for instead of being refused at once (docs/adr/0032, "Confirmation on demand").
 */
@FunctionalInterface
public interface StateConfirmer {
    /** A replica without a control plane never goes stale, so nothing ever asks it. */
    StateConfirmer NONE = () -> Future.failedFuture("no control plane confirms this replica's state");

    /**
     * Succeeds once a read sent now found the fleet's version equal to the applied one, and the lease was renewed
     * from that read's send time; fails when the fleet moved on, the read failed, or it did not answer in time.
     */
    Future<Void> confirmNow();
}
