package io.exodus.proxy.monitoring;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.LogicalSubscription;
import io.exodus.testsupport.PhysicalStandby;
import io.exodus.testsupport.ReplicationSlot;
import io.exodus.testsupport.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link ReplicationLagQuery} reads from real servers: a primary's replication connections and slots (a
 * forgotten slot, a logical subscriber, a physical standby), and a standby's own replay lag.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicationLagQueryTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static Pool source;

    @BeforeAll
    static void connectToTheSource() {
        vertx = Vertx.vertx();
        source = PgBuilder.pool()
                .connectingTo(ConnectionTarget.superuser(TestDatabases.source()).pgConnectOptions())
                .using(vertx)
                .build();
    }

    @AfterAll
    static void disconnect() throws Exception {
        if (source != null) {
            source.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSlotNobodyReadsHoldsTheWalWrittenAfterItUntilItIsDropped() throws Exception {
        String name = "exodus_lag_unread_slot";
        try (ReplicationSlot slot = ReplicationSlot.createLogical(TestDatabases.source(), name)) {
            slot.writeWal();

            // The 1000-byte message and more: pg_current_wal_lsn() is where WAL has been written to, which the WAL
            // writer moves a moment later.
            List<ReplicationLag> lags = readUntil(all -> find(all, ReplicationLag.Kind.SLOT, name)
                    .filter(lag -> lag.bytes() != null && lag.bytes() >= 1000).isPresent());

            ReplicationLag lag = find(lags, ReplicationLag.Kind.SLOT, name).orElseThrow();
            assertFalse(lag.active(), lag.toString());
            assertNull(lag.seconds(), "a slot has no time lag: " + lag);
            assertTrue(lags.stream().noneMatch(any -> any.kind() == ReplicationLag.Kind.STANDBY),
                    "the source is a primary: " + lags);
        }
        assertTrue(find(read(), ReplicationLag.Kind.SLOT, name).isEmpty(), "dropped");
    }

    @Test
    void aSubscriberIsAReplicationConnectionThatReadsItsSlot() throws Exception {
        String name = "exodus_lag_subscriber";
        try (LogicalSubscription subscription = LogicalSubscription.start(name)) {
            subscription.replicateOneRow();

            List<ReplicationLag> lags = readUntil(all -> find(all, ReplicationLag.Kind.CONNECTION, name)
                    .filter(lag -> lag.bytes() != null && lag.seconds() != null).isPresent()
                    && find(all, ReplicationLag.Kind.SLOT, name).filter(ReplicationLag::active).isPresent());

            ReplicationLag connection = find(lags, ReplicationLag.Kind.CONNECTION, name).orElseThrow();
            assertTrue(connection.bytes() >= 0, connection.toString());
            assertTrue(connection.seconds() >= 0 && connection.seconds() < PATIENCE.toSeconds(),
                    "the subscriber applied the row within the wait: " + connection);
            ReplicationLag slot = find(lags, ReplicationLag.Kind.SLOT, name).orElseThrow();
            assertNotNull(slot.bytes(), "a subscriber's slot keeps what it has not confirmed: " + slot);
        }
        List<ReplicationLag> after = readUntil(all -> find(all, ReplicationLag.Kind.CONNECTION, name).isEmpty());
        assertEquals(Optional.empty(), find(after, ReplicationLag.Kind.SLOT, name), "the subscription dropped it");
    }

    @Test
    void aStandbyReadsItsOwnReplayLagAndItsPrimaryTheConnectionAndSlotThatFeedIt() throws Exception {
        String name = "exodus_lag_standby";
        try (PhysicalStandby standby = PhysicalStandby.of(TestDatabases.source(), name)) {
            Pool standbyPool = PgBuilder.pool()
                    .connectingTo(ConnectionTarget.superuser(standby.server()).pgConnectOptions())
                    .using(vertx)
                    .build();
            try {
                List<ReplicationLag> own = readUntil(standbyPool, all -> all.size() == 1
                        && all.get(0).bytes() != null && all.get(0).seconds() != null);

                ReplicationLag self = own.get(0);
                assertEquals(ReplicationLag.Kind.STANDBY, self.kind());
                assertEquals(ReplicationLag.SELF, self.name());
                assertTrue(self.bytes() >= 0 && self.seconds() >= 0, self.toString());
            } finally {
                standbyPool.close();
            }

            List<ReplicationLag> primary = readUntil(all -> find(all, ReplicationLag.Kind.CONNECTION, name)
                    .filter(lag -> lag.bytes() != null && lag.seconds() != null).isPresent());
            ReplicationLag slot = find(primary, ReplicationLag.Kind.SLOT, name).orElseThrow(() -> new AssertionError(
                    "no physical slot " + name + " in " + primary));
            assertTrue(slot.active(), slot.toString());
            assertTrue(slot.bytes() >= 0, "a physical slot keeps the WAL from its restart_lsn: " + slot);
        }
        assertTrue(find(read(), ReplicationLag.Kind.SLOT, name).isEmpty(), "dropped with the standby");
    }

    private static List<ReplicationLag> read() throws Exception {
        return read(source);
    }

    private static List<ReplicationLag> read(Pool server) throws Exception {
        return new ReplicationLagQuery(server).read().toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static List<ReplicationLag> readUntil(Predicate<List<ReplicationLag>> condition) throws Exception {
        return readUntil(source, condition);
    }

    /** Replicas connect, and walsenders exit, a moment after the SQL that asks for it. */
    private static List<ReplicationLag> readUntil(Pool server, Predicate<List<ReplicationLag>> condition)
            throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<ReplicationLag> lags = read(server);
        while (!condition.test(lags)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + lags);
            }
            Thread.sleep(200);
            lags = read(server);
        }
        return lags;
    }

    private static Optional<ReplicationLag> find(List<ReplicationLag> lags, ReplicationLag.Kind kind, String name) {
        return lags.stream().filter(lag -> lag.kind() == kind && lag.name().equals(name)).findFirst();
    }
}
