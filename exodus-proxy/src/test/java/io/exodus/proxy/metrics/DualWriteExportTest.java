package io.exodus.proxy.metrics;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.testsupport.PostgresPairResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In phase dual-write, the migration's gauges and the dual-write meters arrive at a fake Datadog HTTP intake and a
 * fake DogStatsD agent with the names and tags the monitors query. Leg requests, commits and detachments are
 * reported here through {@link DualWriteMetrics} with known values, as the session engine reports them, and one
 * request through a session's {@link RelayMetrics}; no other test of this profile reports any, so the counts are
 * exact.
 */
@QuarkusTest
@TestProfile(FakeDatadogDualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteExportTest {
    private static final long WAIT_MILLIS = 45_000;
    private static final String[] SOURCE_PRIMARY_OK = { "endpoint:source", "role:primary", "outcome:ok",
            "statement_class:read", "phase:dual-write", "policy:both-required", "service:exodus-proxy", "env:test" };
    private static final String[] TARGET_SECONDARY_ERROR = { "endpoint:target", "role:secondary", "outcome:error",
            "statement_class:write", "phase:dual-write", "policy:both-required" };
    private static final String[] SIMPLE_WRITE = { "endpoint:source", "protocol:simple", "statement_class:write",
            "phase:dual-write", "policy:both-required" };

    @ConfigProperty(name = "exodus.metrics.datadog.uri")
    String intake;

    @Inject
    DualWriteMetrics metrics;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    @Inject
    MeterRegistry registry;

    @Inject
    ProxyMetrics proxyMetrics;

    @Test
    void legsCommitsDetachmentsAndDivergencesArriveWithTheirTags() throws Exception {
        metrics.targetConnectionOpened();
        IntakeRecordings got = IntakeRecordings.awaitRound(intake, WAIT_MILLIS, this::legsCommitsAndDivergences,
                r -> r.datadogSum("exodus.leg.requests.count", SOURCE_PRIMARY_OK) >= 3
                        && r.datadogSum("exodus.commits.count", "outcome:committed") >= 2
                        && r.datadogSum("exodus.divergence", "kind:row_count", "policy:both-required") >= 1
                        && r.statsd("exodus.leg.requests", "ms", "phase:dual-write").size() >= 4
                        && r.statsd("exodus.commits", "ms", "policy:both-required").size() >= 3
                        && sum(r.statsd("exodus.secondary.detached", "c", "reason:timeout")) >= 1
                        && r.datadogHasValue("exodus.backend.up", 1, "endpoint:target")
                        && r.datadogHasValue("exodus.backend.connections.active", 1, "endpoint:target")
                        && r.datadogSum("exodus.requests.count", SIMPLE_WRITE) >= 1);
        metrics.targetConnectionClosed();

        assertEquals("", got.rejected(), "every POST carried the API key");
        // Datadog HTTP API: timers as .count/.avg/.max and three percentiles, tagged as the monitors group them.
        assertEquals(3, got.datadogSum("exodus.leg.requests.count", SOURCE_PRIMARY_OK));
        assertEquals(1, got.datadogSum("exodus.leg.requests.count", TARGET_SECONDARY_ERROR));
        assertTrue(got.datadogHas("exodus.leg.requests.max", TARGET_SECONDARY_ERROR));
        assertTrue(got.datadogHas("exodus.leg.requests.percentile", "phi:0.99", "role:secondary", "endpoint:target"));
        assertEquals(2, got.datadogSum("exodus.commits.count", "policy:both-required", "outcome:committed",
                "phase:dual-write"));
        assertEquals(1, got.datadogSum("exodus.commits.count", "policy:both-required", "outcome:rolled_back"));
        assertTrue(got.datadogHas("exodus.commits.percentile", "phi:0.99", "policy:both-required"));
        assertEquals(1, got.datadogSum("exodus.secondary.detached", "reason:timeout"));
        assertEquals(0, got.datadogSum("exodus.secondary.detached", "reason:lost"));
        assertTrue(got.datadogHasValue("exodus.backend.connections.active", 1, "endpoint:target"));
        assertEquals(1, got.datadogSum("exodus.divergence", "kind:row_count", "policy:both-required"));
        assertEquals(1, got.datadogSum("exodus.nondeterministic.statements"));
        // The migration's gauges in phase dual-write.
        assertTrue(got.datadogHasValue("exodus.phase", 1, "phase:dual-write"));
        assertTrue(got.datadogHasValue("exodus.policy", 1, "policy:both-required"));
        assertTrue(got.datadogHasValue("exodus.policy", 0, "policy:two-phase-commit"));
        assertTrue(got.datadogHasValue("exodus.twophase.in_doubt", 0), "two-phase commit never used");
        assertTrue(got.datadogHasValue("exodus.backend.up", 1, "endpoint:source"));
        assertTrue(got.datadogHasValue("exodus.backend.up", 1, "endpoint:target"));
        // Request timers carry the statement class, the phase and the policy.
        assertEquals(1, got.datadogSum("exodus.requests.count", SIMPLE_WRITE));

        // DogStatsD: one timing line per leg request and per commit, counters as deltas.
        assertEquals(4, got.statsd("exodus.leg.requests", "ms", "phase:dual-write", "policy:both-required").size());
        assertEquals(1, got.statsd("exodus.leg.requests", "ms", TARGET_SECONDARY_ERROR).size());
        assertEquals(3, got.statsd("exodus.commits", "ms", "policy:both-required").size());
        assertEquals(1, sum(got.statsd("exodus.secondary.detached", "c", "reason:timeout")));
    }

    @Test
    void aPolicyChangedAtRunTimeTagsWhatComesAfter() throws Exception {
        RequestTimers requests = new RequestTimers(new SimpleMeterRegistry(), ExodusMeters.ENDPOINT_SOURCE, migration);
        int simpleRead = StatementClass.READ.ordinal();
        assertEquals("both-required", requests.timer(0, simpleRead).getId().getTag(ExodusMeters.TAG_POLICY));
        migration.changePolicy(ConsistencyPolicy.BEST_EFFORT);
        try {
            assertEquals("best-effort", requests.timer(0, simpleRead).getId().getTag(ExodusMeters.TAG_POLICY),
                    "a request answered after the change");
            IntakeRecordings got = IntakeRecordings.awaitRound(intake, WAIT_MILLIS,
                    () -> metrics.legRequest(ConsistencyPolicy.BEST_EFFORT, StatementClass.WRITE, true, false,
                            System.nanoTime(), false),
                    r -> r.datadogHasValue("exodus.policy", 1, "policy:best-effort")
                            && r.datadogSum("exodus.leg.requests.count", "policy:best-effort") >= 1);

            assertTrue(got.datadogHasValue("exodus.policy", 1, "policy:best-effort"));
            assertEquals(1, got.datadogSum("exodus.leg.requests.count", "endpoint:target", "role:secondary",
                    "outcome:ok", "policy:best-effort"));
        } finally {
            migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        }
        assertTrue(registry.find(ExodusMeters.LEG_REQUESTS).tag(ExodusMeters.TAG_POLICY, "two-phase-commit").meters()
                .isEmpty(), "a policy never used has no leg timers");
    }

    /** Leg requests, commits, a detachment and divergences, reported with known values. */
    private void legsCommitsAndDivergences() {
        long started = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(2);
        for (int i = 0; i < 3; i++) {
            metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.READ, false, true, started, false);
        }
        metrics.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, started, true);
        metrics.commit(ConsistencyPolicy.BOTH_REQUIRED, CommitOutcome.COMMITTED, started);
        metrics.commit(ConsistencyPolicy.BOTH_REQUIRED, CommitOutcome.COMMITTED, started);
        metrics.commit(ConsistencyPolicy.BOTH_REQUIRED, CommitOutcome.ROLLED_BACK, started);
        metrics.secondaryDetached(SecondaryDetachment.TIMEOUT);
        divergences.record(Divergence.Kind.ROW_COUNT, ConsistencyPolicy.BOTH_REQUIRED, "UPDATE metrics_test SET n = ?",
                "UPDATE 1", "UPDATE 0");
        divergences.nondeterministic("UPDATE metrics_test SET at = now()", "now() in an UPDATE");
        oneSimpleWrite();
    }

    /** One Query that inserts, through a session's {@link RelayMetrics} as the relay drives it. */
    private void oneSimpleWrite() {
        byte[] text = "insert into metrics_test values (1)\0".getBytes(StandardCharsets.UTF_8);
        RelayMetrics relay = proxyMetrics.openRelay();
        relay.clientMessage(FrontendMessageType.QUERY, text.length + 4);
        relay.clientMessageStart(FrontendMessageType.QUERY, Unpooled.wrappedBuffer(text), 0, text.length);
        relay.forwardedToBackend(text.length + 5);
        relay.readyForQuery();
        relay.backendClosed();
    }

    private static double sum(List<IntakeRecordings.StatsdLine> lines) {
        return lines.stream().mapToDouble(IntakeRecordings.StatsdLine::value).sum();
    }
}
