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
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction that writes a temporary table of its session is never queued for the catch-up applier, which runs on
 * a connection of its own: there the name means a permanent table of the same name (which the replayed statement
 * would change instead) or nothing. The target missing such a transaction is reported and its tables marked divergent.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CatchUpOfTemporaryTablesTest {
    private static final String DATABASE = "dw_temp_catch_up";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table shadowed (id int primary key, v int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into shadowed select g, 0 from generate_series(1, 3) g");
        DualWriteDatabases.onBoth(DATABASE, "create table drifted (id int primary key, n int)");
        // The target lacks this row: an UPDATE of it changes no row there, and its transaction goes to the queue.
        Psql.against(DualWriteDatabases.source(DATABASE)).query("insert into drifted values (1, 0), (2, 0), (3, 0), "
                + "(4, 0)");
        DualWriteDatabases.onBoth(DATABASE, "create table copied (id int primary key, v int)");
    }

    @Test
    void aMissedTransactionThatWritesATemporaryTableIsNotReplayedIntoThePermanentOneOfTheSameName() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("create temp table shadowed (id int, v int)");
            statement.execute("insert into shadowed values (1, 0)");
            client.setAutoCommit(false);
            statement.execute("update shadowed set v = 100 where id = 1");
            statement.execute("update drifted set n = n + 1 where id = 1");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        DualWriteDatabases.assertIdentical(DATABASE, "public.shadowed");
        String marked = Psql.against(DualWriteDatabases.source(DATABASE))
                .query("select string_agg(table_name || ': ' || reason, '; ') from exodus.divergent_tables");
        assertTrue(marked.contains("drifted") && marked.contains("temporary table shadowed"), marked);
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE))
                .query("select count(*) from exodus.replay_queue"), "nothing queued");
    }

    @Test
    void aMissedTransactionWithDdlOnATemporaryTableIsNotReplayedOntoThePermanentOne() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("create temp table shadowed (id int, v int)");
            client.setAutoCommit(false);
            // The target misses this UPDATE: the rest of the transaction is recorded for the queue, not sent.
            statement.execute("update drifted set n = n + 1 where id = 2");
            statement.execute("create index shadowed_by_v on shadowed (v)");
            statement.execute("alter table shadowed add column w int");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        DualWriteDatabases.assertIdentical(DATABASE, "public.shadowed");
        String targetShape = Psql.against(DualWriteDatabases.target(DATABASE)).query("select (select count(*) from "
                + "pg_indexes where tablename = 'shadowed' and indexname = 'shadowed_by_v') || ' ' || (select count(*) "
                + "from information_schema.columns where table_name = 'shadowed' and column_name = 'w')");
        assertEquals("0 0", targetShape, "the permanent table on the target kept its shape");
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE))
                .query("select count(*) from exodus.replay_queue"), "nothing queued");
    }

    @Test
    void aMissedTransactionThatCopiesIntoATemporaryTableIsNotReplayedIntoThePermanentOne() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("create temp table shadowed (id int, v int)");
            client.setAutoCommit(false);
            statement.execute("update drifted set n = n + 1 where id = 3");
            new CopyManager(client.unwrap(BaseConnection.class))
                    .copyIn("copy shadowed from stdin", new StringReader("7\t70\n8\t80\n"));
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        DualWriteDatabases.assertIdentical(DATABASE, "public.shadowed");
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select count(*) from public.shadowed where id in (7, 8)"), "the permanent table kept its rows");
    }

    @Test
    void aMissedInsertOfRowsReadFromATemporaryTableIsReplayedAsTheRowsItInserted() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("create temp table staging (id int, v int)");
            statement.execute("insert into staging values (1, 10), (2, 20)");
            client.setAutoCommit(false);
            statement.execute("update drifted set n = n + 1 where id = 4");
            // The replay carries the two rows' values, not the text: the temporary table is not needed there.
            statement.execute("insert into copied select id, v from staging");
            client.commit();
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        DualWriteDatabases.assertIdentical(DATABASE, "copied");
    }
}
