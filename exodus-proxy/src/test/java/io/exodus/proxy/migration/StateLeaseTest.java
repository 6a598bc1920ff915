package io.exodus.proxy.migration;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The staleness decision of a replica, on a clock the test moves by hand. */
class StateLeaseTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration STALE_AFTER = Duration.ofMillis(2500);

    @Test
    void aReplicaIsStaleUntilItsFirstConfirmation() {
        StateLease lease = StateLease.unconfirmed(STALE_AFTER, 100 * SECOND);
        assertTrue(lease.stale(100 * SECOND));
        lease.confirm(100 * SECOND);
        assertFalse(lease.stale(101 * SECOND));
    }

    @Test
    void theLeaseRunsFromWhenTheConfirmingReadWasSentNotFromItsAnswer() {
        StateLease lease = StateLease.unconfirmed(STALE_AFTER, 0);
        lease.confirm(10 * SECOND);
        assertFalse(lease.stale(10 * SECOND + 2_499_000_000L));
        assertTrue(lease.stale(10 * SECOND + 2_500_000_000L));
    }

    @Test
    void anOlderConfirmationAnsweredLateDoesNotShortenTheLease() {
        StateLease lease = StateLease.unconfirmed(STALE_AFTER, 0);
        lease.confirm(12 * SECOND);
        lease.confirm(11 * SECOND);
        assertFalse(lease.stale(14 * SECOND));
    }

    @Test
    void aPauseLongerThanTheLeaseIsBridgedByAConfirmationSentAfterIt() {
        StateLease lease = StateLease.unconfirmed(STALE_AFTER, 0);
        lease.confirm(10 * SECOND);
        // A pause of 4 s: the periodic heartbeat did not run, the first request after it finds the lease expired.
        assertTrue(lease.stale(14 * SECOND));
        // The confirmation that request asks for, sent at once and answered 30 ms later, renews it from its send time.
        lease.confirm(14 * SECOND);
        assertFalse(lease.stale(14 * SECOND + 30_000_000L));
        assertTrue(lease.stale(14 * SECOND + 2_500_000_000L));
    }

    @Test
    void aReplicaWithoutControlPlaneNeverGoesStale() {
        assertFalse(StateLease.unbounded().stale(Long.MAX_VALUE));
    }

    @Test
    void theLeaseWorksAcrossTheWrapOfTheNanosecondClock() {
        StateLease lease = StateLease.unconfirmed(STALE_AFTER, Long.MAX_VALUE - SECOND);
        lease.confirm(Long.MAX_VALUE - SECOND);
        assertFalse(lease.stale(Long.MAX_VALUE));
        assertTrue(lease.stale(Long.MIN_VALUE + 2 * SECOND));
    }

    @Test
    void onlyTheRetiredSourcesPhaseKeepsWritingWhenStale() {
        for (MigrationPhase phase : MigrationPhase.values()) {
            assertTrue(phase.writeRoutingFinal() == (phase == MigrationPhase.SOURCE_RETIRED), phase.configName());
        }
    }
}
