package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A transaction the target missed is replayed by the catch-up applier under the settings its session had, however the
 * session set them: here a driver's SET over the extended protocol, and more session statements than any log keeps.
 * With the applier's own search_path, the unqualified name meant the table of the same name in public: a silent
 * difference.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CatchUpSessionSettingsTest {
    private static final String DATABASE = "dw_catch_up_settings";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create schema app");
        DualWriteDatabases.onBoth(DATABASE, "create table app.items (id int primary key, v text)");
        DualWriteDatabases.onBoth(DATABASE, "create table public.items (id int primary key, v text)");
        DualWriteDatabases.onBoth(DATABASE, "create table app.drifted (id int primary key, n int)");
        // The target lacks this row: an UPDATE of it changes no row there, and its transaction goes to the queue.
        Psql.against(DualWriteDatabases.source(DATABASE)).query("insert into app.drifted values (1, 0)");
    }

    @Test
    void aQueuedTransactionIsReplayedUnderItsSessionsSearchPath() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("set search_path = app, public");
            for (int i = 0; i < 80; i++) {
                // Session statements beyond what a log of them would keep.
                statement.execute("set work_mem = '" + (64 + i) + "kB'");
            }
            client.setAutoCommit(false);
            statement.execute("update drifted set n = n + 1 where id = 1");
            statement.execute("insert into items values (1, 'queued')");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("queued", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select string_agg(v, ',') from app.items"), "the row is where the session wrote it");
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query("select count(*) from public.items"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
        DualWriteDatabases.assertIdentical(DATABASE, "public.items");
    }
}
