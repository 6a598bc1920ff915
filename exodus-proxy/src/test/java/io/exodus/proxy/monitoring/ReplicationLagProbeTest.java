package io.exodus.proxy.monitoring;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.testsupport.LogicalSubscription;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RecordedLog;
import io.exodus.testsupport.ReplicationSlot;
import io.exodus.testsupport.TestDatabases;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication gauges of a proxy in phase dual-write, which reads the source and the target, over real
 * replication: a slot nobody reads, a logical subscription of the target to the source, and a target that stops
 * answering. Each test makes the probe read at once rather than wait for its interval. The dual-write tests' own
 * proxy serves: no client writes here, so neither its policy nor what its earlier classes did matters, and a profile
 * of its own would cost the suite one more build and start of the application.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ReplicationLagProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    ReplicationLagProbe probe;

    @Inject
    MeterRegistry registry;

    @Test
    void aSlotNobodyReadsIsReportedWithTheWalItKeepsAndItsSeriesGoesWithIt() throws Exception {
        String name = "exodus_probe_unread_slot";
        try (ReplicationSlot slot = ReplicationSlot.createLogical(TestDatabases.source(), name)) {
            slot.writeWal();

            // pg_current_wal_lsn() is where WAL has been written to, which the WAL writer moves a moment later.
            readUntil(() -> retained("source", name, false) != null
                    && retained("source", name, false).value() >= 1000);

            assertTrue(prometheusLines().stream().anyMatch(line -> line.startsWith(
                    "exodus_replication_slot_retained_bytes{") && line.contains("slot=\"" + name + "\"")
                    && line.contains("active=\"false\"") && line.contains("endpoint=\"source\"")));
        }
        readUntil(() -> retained("source", name, false) == null);
        assertTrue(prometheusLines().stream().noneMatch(line -> line.contains(name)), "gone from /q/metrics too");
    }

    @Test
    void aSubscriberOfTheSourceIsReportedAsAReplicationConnectionWithItsLag() throws Exception {
        String name = "exodus_probe_subscriber";
        try (LogicalSubscription subscription = LogicalSubscription.start(name)) {
            subscription.replicateOneRow();

            readUntil(() -> lag(ExodusMeters.REPLICATION_LAG, "source", name) != null
                    && lag(ExodusMeters.REPLICATION_LAG_BYTES, "source", name) != null
                    && retained("source", name, true) != null);

            double seconds = lag(ExodusMeters.REPLICATION_LAG, "source", name).value();
            assertTrue(seconds >= 0 && seconds < PATIENCE.toSeconds(), "applied within the wait: " + seconds);
            assertTrue(lag(ExodusMeters.REPLICATION_LAG_BYTES, "source", name).value() >= 0);
            List<String> lines = prometheusLines();
            assertTrue(lines.stream().anyMatch(line -> line.startsWith("exodus_replication_lag_seconds{")
                    && line.contains("kind=\"connection\"") && line.contains("replica=\"" + name + "\"")), "seconds");
            assertTrue(lines.stream().anyMatch(line -> line.startsWith("exodus_replication_lag_bytes{")
                    && line.contains("replica=\"" + name + "\"")), "bytes");
        }
        readUntil(() -> lag(ExodusMeters.REPLICATION_LAG, "source", name) == null
                && lag(ExodusMeters.REPLICATION_LAG_BYTES, "source", name) == null
                && retained("source", name, true) == null && retained("source", name, false) == null);
    }

    @Test
    void aTargetThatStopsAnsweringReportsNothingAndIsLoggedOnce() throws Exception {
        String name = "exodus_probe_target_slot";
        try (ReplicationSlot slot = ReplicationSlot.createLogical(TestDatabases.target(), name)) {
            readUntil(() -> retained("target", name, false) != null);

            try (RecordedLog log = RecordedLog.of(ReplicationLagProbe.class.getName())) {
                TestDatabases.stopTargetImmediately();
                try {
                    readUntil(() -> retained("target", name, false) == null);
                    await(probe.readAll());
                    await(probe.readAll());

                    assertTrue(probe.latest().containsKey("source"), "the source is still read");
                    assertFalse(probe.latest().containsKey("target"));
                    assertTrue(registry.find(ExodusMeters.REPLICATION_SLOT_RETAINED).tag("endpoint", "target")
                            .meters().isEmpty(), "no old value for the target");
                    assertEquals(1, log.at(Level.WARNING).size(), "logged once: " + log.at(Level.WARNING));
                } finally {
                    TestDatabases.startTarget();
                }
                readUntil(() -> retained("target", name, false) != null);
                assertEquals(1, log.at(Level.INFO).size(), "and once when it answers again: " + log.at(Level.INFO));
            }
        }
    }

    private Gauge retained(String endpoint, String slot, boolean active) {
        return registry.find(ExodusMeters.REPLICATION_SLOT_RETAINED)
                .tags("endpoint", endpoint, "slot", slot, "active", String.valueOf(active)).gauge();
    }

    private Gauge lag(String metric, String endpoint, String replica) {
        return registry.find(metric).tags("endpoint", endpoint, "kind", "connection", "replica", replica).gauge();
    }

    /** Reads until the condition holds: replicas connect, and walsenders exit, a moment after the SQL that asks. */
    private void readUntil(BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        await(probe.readAll());
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s; the exodus.replication meters: "
                        + registry.getMeters().stream().map(Meter::getId)
                                .filter(id -> id.getName().startsWith("exodus.replication")).toList());
            }
            Thread.sleep(200);
            await(probe.readAll());
        }
    }

    private static void await(Future<Void> reading) throws Exception {
        reading.toCompletionStage().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<String> prometheusLines() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines().toList();
    }
}
