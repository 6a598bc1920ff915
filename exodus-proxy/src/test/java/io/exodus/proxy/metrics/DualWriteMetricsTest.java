package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dual-write meters, as the engine feeds them: tags (statement class included), counts, and timers that appear
 * only once used.
 */
class DualWriteMetricsTest {
    private MeterRegistry registry;
    private DualWriteMetrics metrics;
    private MigrationPhase phase = MigrationPhase.DUAL_WRITE;

    @BeforeEach
    void newMetrics() {
        registry = new SimpleMeterRegistry();
        metrics = new MicrometerDualWriteMetrics(registry, () -> phase);
    }

    @Test
    void legRequestsAreTimedByEndpointRoleOutcomeAndTheTransactionsPolicy() {
        long started = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(3);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, false, true, started, false);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, false, true, started, false);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, started, true);
        metrics.legRequest(ConsistencyPolicy.BEST_EFFORT, StatementClass.WRITE, true, false, started, false);

        Timer sourcePrimary = leg("source", "primary", "ok", "both-required").timer();
        assertEquals(2, sourcePrimary.count());
        assertTrue(sourcePrimary.totalTime(TimeUnit.MILLISECONDS) >= 6, "timed from the write to the leg");
        assertEquals(1, legCount("target", "secondary", "error", "both-required"));
        assertEquals(1, legCount("target", "secondary", "ok", "best-effort"));
        assertEquals("write", sourcePrimary.getId().getTag(ExodusMeters.TAG_STATEMENT_CLASS));
        assertEquals("dual-write", sourcePrimary.getId().getTag(ExodusMeters.TAG_PHASE));
    }

    @Test
    void aPolicyOrCombinationNeverUsedHasNoSeries() {
        metrics.legRequest(ConsistencyPolicy.TWO_PHASE_COMMIT, StatementClass.READ, true, false, System.nanoTime(),
                false);

        Collection<Meter> legs = registry.find(ExodusMeters.LEG_REQUESTS).meters();
        assertEquals(1, legs.size(), "only the combination used: " + legs);
        assertNull(registry.find(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_ROLE, "primary").timer());
        assertNull(registry.find(ExodusMeters.COMMITS).timer());
    }

    @Test
    void legRequestsAreTimedByStatementClass() {
        long started = System.nanoTime();
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, started, false);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.TRANSACTION, true, false, started, false);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.TRANSACTION, true, false, started, false);

        assertEquals(1, leg("target", "secondary", "ok", "both-required").tag(ExodusMeters.TAG_STATEMENT_CLASS,
                "write").timer().count());
        assertEquals(2, leg("target", "secondary", "ok", "both-required").tag(ExodusMeters.TAG_STATEMENT_CLASS,
                "transaction").timer().count());
        assertTrue(metrics.classifiesStatements());
    }

    @Test
    void commitsAreTimedByPolicyAndOutcome() {
        long started = System.nanoTime();
        metrics.commit(ConsistencyPolicy.TWO_PHASE_COMMIT, CommitOutcome.COMMITTED, started);
        metrics.commit(ConsistencyPolicy.TWO_PHASE_COMMIT, CommitOutcome.ROLLED_BACK, started);
        metrics.commit(ConsistencyPolicy.TWO_PHASE_COMMIT, CommitOutcome.COMMITTED, started);
        metrics.commit(ConsistencyPolicy.NEW_AUTHORITATIVE, CommitOutcome.FAILED, started);

        assertEquals(2, commits("two-phase-commit", "committed").count());
        assertEquals(1, commits("two-phase-commit", "rolled_back").count());
        assertEquals(1, commits("new-authoritative", "failed").count());
    }

    @Test
    void everyDetachmentReasonIsCountedFromTheStart() {
        for (SecondaryDetachment reason : SecondaryDetachment.values()) {
            assertEquals(0, registry.get(ExodusMeters.SECONDARY_DETACHED)
                    .tag(ExodusMeters.TAG_REASON, reason.tagValue()).counter().count());
        }
        metrics.secondaryDetached(SecondaryDetachment.TIMEOUT);
        metrics.secondaryDetached(SecondaryDetachment.PINNED);
        metrics.secondaryDetached(SecondaryDetachment.PINNED);

        assertEquals(1, detached("timeout"));
        assertEquals(2, detached("pinned"));
        assertEquals(0, detached("lost"));
    }

    @Test
    void targetConnectionsAreCountedBesideTheSources() {
        metrics.targetConnectionOpened();
        metrics.targetConnectionOpened();
        metrics.targetConnectionClosed();

        assertEquals(1, registry.get(ExodusMeters.BACKEND_CONNECTIONS_ACTIVE)
                .tag(ExodusMeters.TAG_ENDPOINT, "target").gauge().value());
        SimpleMeterRegistry direct = new SimpleMeterRegistry();
        new MicrometerDualWriteMetrics(direct, () -> MigrationPhase.DIRECT);
        assertEquals(0, direct.get(ExodusMeters.BACKEND_CONNECTIONS_ACTIVE).tag(ExodusMeters.TAG_ENDPOINT, "target")
                .gauge().value(), "none in phase direct, which may turn to dual-write");
    }

    @Test
    void requestsAreTaggedWithThePhaseOfTheirMoment() {
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, System.nanoTime(), false);
        phase = MigrationPhase.CANARY;
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, System.nanoTime(), false);
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, System.nanoTime(), false);
        assertEquals(1, registry.get(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_PHASE, "dual-write").timer().count());
        assertEquals(2, registry.get(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_PHASE, "canary").timer().count());
    }

    private Search leg(String endpoint, String role, String outcome, String policy) {
        return registry.find(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_ENDPOINT, endpoint)
                .tag(ExodusMeters.TAG_ROLE, role).tag(ExodusMeters.TAG_OUTCOME, outcome)
                .tag(ExodusMeters.TAG_POLICY, policy);
    }

    private long legCount(String endpoint, String role, String outcome, String policy) {
        return leg(endpoint, role, outcome, policy).timers().stream().mapToLong(Timer::count).sum();
    }

    private Timer commits(String policy, String outcome) {
        return registry.get(ExodusMeters.COMMITS).tag(ExodusMeters.TAG_POLICY, policy)
                .tag(ExodusMeters.TAG_OUTCOME, outcome).timer();
    }

    private double detached(String reason) {
        return registry.get(ExodusMeters.SECONDARY_DETACHED).tag(ExodusMeters.TAG_REASON, reason).counter().count();
    }
}
