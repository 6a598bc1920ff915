package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RecordedLog;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queued transaction whose replay waits on the target for a lock that a transaction left prepared there holds: the
 * log says so, naming the prepared transaction, while the queue of the database waits behind it; once the transaction
 * is ended, the replay goes on and both sides agree.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class StalledReplayTest {
    private static final String DATABASE = "dw_stalled_replay";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table items (id int primary key, v text)");
        DualWriteDatabases.onBoth(DATABASE, "create table drifted (id int primary key, n int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into items values (1, 'before')");
        // The target lacks this row: an UPDATE of it changes no row there, and its transaction goes to the queue.
        Psql.against(DualWriteDatabases.source(DATABASE)).query("insert into drifted values (1, 0)");
    }

    @Test
    void aReplayWaitingForALockSaysWhatHoldsItAndGoesOnOnceItIsReleased() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        RecordedLog warnings = RecordedLog.of("io.exodus.proxy.catchup.StalledReplay");
        try {
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                    Statement statement = client.createStatement()) {
                // The target changes no row: the transaction goes to the queue, and is replayed (its markers made).
                statement.execute("update drifted set n = n + 1 where id = 1");
                CatchUpDrain.await(Duration.ofSeconds(60));
                // Held by a transaction left prepared on the target: every replay waits for it, no live write does.
                Psql.against(DualWriteDatabases.target(DATABASE)).run(List.of("-c", "begin", "-c",
                        "lock table exodus.replay_applied in exclusive mode", "-c",
                        "prepare transaction 'left_on_the_target'"), null).requireSuccess();
                statement.execute("update drifted set n = n + 1 where id = 1");
                // Behind it in the queue, not live.
                statement.execute("update items set v = 'queued' where id = 1");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (warnings.at(Level.WARNING).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(!warnings.at(Level.WARNING).isEmpty(), "the stalled replay was reported");
            String warning = warnings.at(Level.WARNING).get(0);
            assertTrue(warning.contains("a prepared transaction") && warning.contains("left_on_the_target"), warning);
            assertTrue(CatchUpDrain.depth() > 0, "the entries wait");
        } finally {
            Psql.against(DualWriteDatabases.target(DATABASE)).query("rollback prepared 'left_on_the_target'");
            warnings.close();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("queued", Psql.against(DualWriteDatabases.target(DATABASE)).query("select v from items where id = 1"),
                "replayed once the lock was released");
        DualWriteDatabases.assertIdentical(DATABASE, "items");
    }
}
