package io.exodus.proxy.server;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.dualwrite.DualWriteServices;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.wire.ErrorResponse;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request held for a confirmation of the lease (docs/adr/0032, "Confirmation on demand") was planned by the phase it
 * found: it goes on only if that phase is still the one in effect when the confirmation comes, and a transaction the
 * fleet's change of route left behind is refused without asking the fleet at all. The fleet here is a confirmer the
 * test answers; the lease starts expired, as on a replica whose heartbeat was late.
 */
class HeldRequestConfirmationTest {
    private final Vertx vertx = Vertx.vertx();
    private final MigrationState migration = new MigrationState(config());
    private final SessionRelays relays = new SessionRelays(new DualWriteServices(null, migration, null, Map.of(), null,
            null, null, true, Duration.ofSeconds(1), Duration.ofSeconds(5), null, null, null, 0, 0, 0, null), null,
            1 << 20);
    private final Session session = new Session();
    private final AtomicInteger asked = new AtomicInteger();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aConfirmationOfTheSamePhaseLetsTheHeldRequestGoOn() throws Exception {
        migration.confirmWith(() -> confirmed(null));
        assertTrue(migration.refusesWrites(), "the lease starts expired");

        assertTrue(confirm(), "confirmed, same phase: the request goes on");
        assertEquals(1, asked.get());
    }

    @Test
    void aHeldRequestThatFindsANewerPhaseWhenConfirmedIsRefused() throws Exception {
        // The fleet's new phase is applied while the request waits, and the lease confirmed for it: the request was
        // planned for dual-write (its legs, its primary, its statements' rewriting) and must not run in cutover.
        migration.confirmWith(() -> confirmed(MigrationPhase.CUTOVER));

        assertFalse(confirm(), "refused: planned by a phase the fleet left");
    }

    @Test
    void aTransactionLeftBehindIsRefusedWithoutAskingTheFleet() throws Exception {
        migration.confirmWith(() -> confirmed(null));
        session.leftBehind = true;

        assertTrue(relays.refusesWrites(session), "refused even with a fresh lease");
        assertFalse(confirm());
        assertEquals(0, asked.get(), "no confirmation can make its old route right again");
    }

    @Test
    void aTransactionLeftBehindWhileItsRequestWaitedIsRefused() throws Exception {
        migration.confirmWith(() -> {
            session.leftBehind = true;
            return confirmed(null);
        });

        assertFalse(confirm());
    }

    /** What the fleet answers: the lease renewed, after {@code applied} became the phase (null: none changed). */
    private Future<Void> confirmed(MigrationPhase applied) {
        asked.incrementAndGet();
        if (applied != null) {
            migration.changePhase(applied);
        }
        migration.lease().confirm(System.nanoTime());
        Promise<Void> answer = Promise.promise();
        vertx.setTimer(5, id -> answer.complete());
        return answer.future();
    }

    /** Asks on an event loop, as a session's relay does; true when the request may go on. */
    private boolean confirm() throws Exception {
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        vertx.runOnContext(v -> relays.confirmState(session).onComplete(done -> outcome.complete(done.succeeded())));
        return outcome.get(5, TimeUnit.SECONDS);
    }

    private static ExodusConfig config() {
        return new SmallRyeConfigBuilder()
                .withMapping(ExodusConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("exodus.migration.phase", "dual-write",
                        "exodus.control.enabled", "true", "exodus.control.stale-after", "2500ms"), "test", 500))
                .build()
                .getConfigMapping(ExodusConfig.class);
    }

    private static final class Session implements RelayHost {
        volatile boolean leftBehind;
        private final Set<String> customSettingNames = new HashSet<>();

        @Override
        public Set<String> customSettingNames() {
            return customSettingNames;
        }

        @Override
        public String label() {
            return "S-1 test";
        }

        @Override
        public long number() {
            return 1;
        }

        @Override
        public void closeWithError(ErrorResponse error) {
        }

        @Override
        public void closed() {
        }

        @Override
        public void closeForShutdownNow() {
        }

        @Override
        public boolean leftBehind() {
            return leftBehind;
        }
    }
}
