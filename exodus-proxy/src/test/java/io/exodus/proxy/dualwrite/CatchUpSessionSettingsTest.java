package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestUsers;
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
                .query("select string_agg(v, ',') from app.items where id = 1"), "the row is where the session wrote it");
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query("select count(*) from public.items where id = 1"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
        DualWriteDatabases.assertIdentical(DATABASE, "public.items");
    }

    /**
     * A setting of the application's own ({@code app.tenant}: a placeholder PostgreSQL makes on first use, as row-level
     * security and audit triggers read it with current_setting), which pg_settings does not list. The replay used to
     * run without it: the UPDATE set NULL on the target, silently.
     */
    @Test
    void aQueuedTransactionIsReplayedUnderItsSessionsCustomSettings() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        DualWriteDatabases.onBoth(DATABASE, "insert into app.items values (5, 'before')");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("set app.tenant = 'acme'");
            client.setAutoCommit(false);
            statement.execute("update app.drifted set n = n + 1 where id = 1");
            statement.execute("update app.items set v = current_setting('app.tenant', true) where id = 5");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("acme", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select coalesce(v, 'null') from app.items where id = 5"), "the session's tenant");
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
    }

    /**
     * Row-level security by tenant, the tenant set through a function of the database: no statement names the
     * setting, the function and the policy do. The applier replays as the session's role, under the policy; without
     * the session's tenant the target refused the row and the entry waited for ever.
     */
    @Test
    void aTenantsRowIsReplayedUnderItsRowLevelSecurityPolicy() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        String role = TestUsers.SCRAM_USER;
        DualWriteDatabases.onBoth(DATABASE, "create table app.tenanted (id int primary key, tenant text not null)");
        DualWriteDatabases.onBoth(DATABASE, "alter table app.tenanted enable row level security");
        DualWriteDatabases.onBoth(DATABASE, "create policy by_tenant on app.tenanted "
                + "using (tenant = current_setting('app.tenant', true))");
        DualWriteDatabases.onBoth(DATABASE, "create function app.enter(tenant text) returns void language sql as "
                + "$$ select set_config('app.tenant', tenant, false) $$");
        grantTo(DualWriteDatabases.source(DATABASE), role);
        grantTo(DualWriteDatabases.target(DATABASE), role);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE)
                .withUser(role, TestUsers.SCRAM_PASSWORD)); Statement statement = client.createStatement()) {
            statement.execute("select app.enter('acme')");
            client.setAutoCommit(false);
            statement.execute("update app.drifted set n = n + 1 where id = 1");
            statement.execute("insert into app.tenanted values (1, 'acme')");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("acme", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select string_agg(tenant, ',') from app.tenanted"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.tenanted");
    }

    /**
     * The session's search_path is its role's own ({@code ALTER ROLE … IN DATABASE … SET}), which PostgreSQL applies at
     * login only: the applier logs in as itself and takes the entry's role with SET SESSION AUTHORIZATION, which does
     * not apply it.
     */
    @Test
    void aQueuedTransactionIsReplayedUnderItsRolesOwnSearchPath() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        String role = TestUsers.SCRAM_USER;
        for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE))) {
            grantTo(side, role);
            Psql.against(side).query("alter role " + role + " in database " + DATABASE + " set search_path = app, public");
        }
        try {
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE)
                    .withUser(role, TestUsers.SCRAM_PASSWORD)); Statement statement = client.createStatement()) {
                client.setAutoCommit(false);
                statement.execute("update drifted set n = n + 1 where id = 1");
                statement.execute("insert into items values (30, 'role''s own path')");
                client.commit();
            }
            CatchUpDrain.await(Duration.ofSeconds(60));
            assertEquals("role's own path", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select string_agg(v, ',') from app.items where id = 30"), "the row is where the session wrote it");
            assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select count(*) from public.items where id = 30"));
        } finally {
            for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE),
                    DualWriteDatabases.target(DATABASE))) {
                Psql.against(side).query("alter role " + role + " in database " + DATABASE + " reset search_path");
            }
        }
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
        DualWriteDatabases.assertIdentical(DATABASE, "public.items");
    }

    /**
     * The session wrote as a role the target lacks, so the entry's context cannot be applied there. The context runs
     * in the entry's transaction, which its failure aborts: nothing of the entry runs elsewhere (under the applier's
     * search_path, public.items and public.made_in_app); the entry waits, and applies once the target has the role.
     */
    @Test
    void aContextTheTargetRefusesHoldsTheEntryBackInsteadOfApplyingItElsewhere() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        Psql.against(DualWriteDatabases.source(DATABASE)).query("create role exodus_settings_source_only");
        grantTo(DualWriteDatabases.source(DATABASE), "exodus_settings_source_only");
        // An UPDATE is replayed as its text (an INSERT as its rows, with the table's qualified name).
        DualWriteDatabases.onBoth(DATABASE, "insert into app.items values (2, 'before')");
        DualWriteDatabases.onBoth(DATABASE, "insert into public.items values (2, 'before')");
        try {
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                    "preferQueryMode", "simple"); Statement statement = client.createStatement()) {
                statement.execute("set search_path = app, public");
                statement.execute("set role exodus_settings_source_only");
                client.setAutoCommit(false);
                statement.execute("update drifted set n = n + 1 where id = 1");
                statement.execute("update items set v = 'held back' where id = 2");
                statement.execute("create table made_in_app (id int)");
                client.commit();
            }
            awaitFailedReplay();
            assertEquals("before", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select v from public.items where id = 2"), "never applied under another search_path");
            assertEquals("", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select to_regclass('public.made_in_app')"), "never applied under another search_path");
            Psql.against(DualWriteDatabases.target(DATABASE)).query("create role exodus_settings_source_only");
            grantTo(DualWriteDatabases.target(DATABASE), "exodus_settings_source_only");
            CatchUpDrain.await(Duration.ofSeconds(60));
            assertEquals("held back", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select v from app.items where id = 2"));
            assertEquals("app.made_in_app", Psql.against(DualWriteDatabases.target(DATABASE))
                    .query("select to_regclass('app.made_in_app')"));
            DualWriteDatabases.assertIdentical(DATABASE, "app.items");
            DualWriteDatabases.assertIdentical(DATABASE, "public.items");
        } finally {
            DualWriteDatabases.onBoth(DATABASE, "drop table if exists app.made_in_app");
            dropRoleOnBoth("exodus_settings_source_only");
        }
    }

    /**
     * A session's target connection is lost and opened again. It used to be given the session's SET statements
     * replayed as one query, which the first refused statement (a role the target lacks) cut short: the session's
     * next write ran on the target under the default search_path and went into public.items. Now the new connection
     * gets the settings the source has now.
     */
    @Test
    void aReconnectedTargetGetsTheSessionsSettingsAsTheSourceHasThem() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        Psql.against(DualWriteDatabases.source(DATABASE)).query("create role exodus_settings_source_only2");
        DualWriteDatabases.onBoth(DATABASE, "insert into app.items values (3, 'before')");
        DualWriteDatabases.onBoth(DATABASE, "insert into public.items values (3, 'before')");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "preferQueryMode", "simple", "ApplicationName", "reconnect_settings");
                Statement statement = client.createStatement()) {
            statement.execute("set role exodus_settings_source_only2");
            statement.execute("reset role");
            statement.execute("set search_path = app, public");
            Psql.against(DualWriteDatabases.target(DATABASE)).query("select count(pg_terminate_backend(pid)) "
                    + "from pg_stat_activity where application_name = 'reconnect_settings'");
            Thread.sleep(500);
            statement.execute("update items set v = 'after the reconnect' where id = 3");
        } finally {
            dropRoleOnBoth("exodus_settings_source_only2");
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("after the reconnect", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select v from app.items where id = 3"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
        DualWriteDatabases.assertIdentical(DATABASE, "public.items");
    }

    /**
     * A queued transaction EXECUTEs a statement the session PREPAREd: its entry prepares that one again first, and
     * only that one; an earlier PREPARE naming a table dropped since, which the target would refuse to prepare, stays
     * out of it.
     */
    @Test
    void aQueuedExecuteIsReplayedAfterItsPrepareAlone() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        DualWriteDatabases.onBoth(DATABASE, "insert into app.items values (4, 'before')");
        DualWriteDatabases.onBoth(DATABASE, "create table app.dropped_later (id int)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "preferQueryMode", "simple"); Statement statement = client.createStatement()) {
            statement.execute("set search_path = app, public");
            statement.execute("prepare stale as select * from dropped_later");
            statement.execute("drop table dropped_later");
            statement.execute("prepare put (int, text) as update items set v = $2 where id = $1");
            client.setAutoCommit(false);
            statement.execute("update drifted set n = n + 1 where id = 1");
            statement.execute("execute put (4, 'by execute')");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        assertEquals("by execute", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select v from app.items where id = 4"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.items");
    }

    private static void awaitFailedReplay() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String error = Psql.against(DualWriteDatabases.source(DATABASE)).query(
                    "select coalesce(string_agg(last_error, ','), '') from exodus.replay_queue");
            if (error.contains("exodus_settings_source_only")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the queued transaction was not tried on the target");
    }

    private static void grantTo(io.exodus.testsupport.ConnectionTarget database, String role) {
        Psql.against(database).query("grant usage, create on schema app to " + role
                + "; grant all on all tables in schema app, public to " + role);
    }

    private static void dropRoleOnBoth(String role) throws Exception {
        for (io.exodus.testsupport.ConnectionTarget database : List.of(DualWriteDatabases.source(DATABASE),
                DualWriteDatabases.target(DATABASE))) {
            Psql.against(database).command("drop owned by " + role);
            Psql.against(database).query("drop role if exists " + role);
        }
    }
}
