package io.exodus.proxy.dualwrite;

import org.junit.jupiter.api.Assumptions;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session through a dual-writing Exodus looks to its client as it would directly: its own notifications, the
 * process id it is told and the one the server reports, and how the server ends it.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteSessionLikeDirectTest {
    private static final String DATABASE = "dw_like_direct";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table noted (id int primary key)");
    }

    @Test
    void aListeningSessionReceivesItsOwnNotificationsOnce() throws Exception {
        try (Connection listener = open(); Connection other = open();
                Statement statement = listener.createStatement(); Statement fromOther = other.createStatement()) {
            statement.execute("LISTEN exodus_news");
            statement.execute("NOTIFY exodus_news, 'autocommit'");
            statement.execute("SELECT pg_notify('exodus_news', 'function')");
            listener.setAutoCommit(false);
            statement.execute("INSERT INTO noted VALUES (1)");
            statement.execute("NOTIFY exodus_news, 'with a write'");
            listener.commit();
            listener.setAutoCommit(true);
            fromOther.execute("NOTIFY exodus_news, 'from another session'");
            List<String> received = new ArrayList<>();
            int sender = ((PGConnection) listener).getBackendPID();
            long deadline = System.currentTimeMillis() + 10_000;
            while (received.size() < 4 && System.currentTimeMillis() < deadline) {
                // An empty query reads what the server sent in between.
                statement.execute("SELECT 1");
                PGNotification[] notifications = ((PGConnection) listener).getNotifications(500);
                for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                    received.add(notification.getParameter() + (notification.getPID() == sender ? " (self)" : ""));
                }
            }
            assertEquals(List.of("autocommit (self)", "function (self)", "with a write (self)",
                    "from another session"), received);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
    }

    @Test
    void theProcessIdTheClientIsToldIsTheServersOwn() throws Exception {
        try (Connection client = open(); Statement statement = client.createStatement();
                ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            assertEquals(((PGConnection) client).getBackendPID(), pid.getInt(1));
        }
    }

    @Test
    void aSessionThatTerminatesItsOwnBackendGetsTheServersError() throws Exception {
        try (Connection client = open(); Statement statement = client.createStatement()) {
            SQLException ended = assertThrows(SQLException.class,
                    () -> statement.execute("SELECT pg_terminate_backend(pg_backend_pid())"));
            assertEquals("57P01", ended.getSQLState(), ended.toString());
            assertTrue(client.isClosed() || !client.isValid(2), "the session is over");
        }
        // Another session goes on as before.
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("INSERT INTO noted VALUES (2)");
        }
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
    }

    /** Functions whose answer belongs to one server run on the source only: nothing to diverge, nothing queued. */
    @Test
    void serverLocalFunctionsRunOnTheSourceOnlyAndMirroringGoesOn() throws Exception {
        double before = divergences.total();
        try (Connection victim = open(); Connection client = open(); Statement statement = client.createStatement()) {
            victim.createStatement().execute("SET application_name = 'exodus_victim'");
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'exodus_victim'");
            try (ResultSet status = statement.executeQuery("SELECT txid_status(txid_current())")) {
                status.next();
                assertEquals("in progress", status.getString(1));
            }
            statement.execute("INSERT INTO noted VALUES (10)");
            assertTrue(!victim.isValid(2), "the victim's session on the source was ended");
        }
        assertEquals(before, divergences.total(), "no divergence");
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
    }

    /**
     * After a failed read the source refuses everything but a rollback, and the target never saw the failure: the
     * RELEASE the source refused was carried out on the target, whose ROLLBACK TO that savepoint then failed, and the
     * transaction went to the replay queue (the regression suite's transactions test).
     */
    @Test
    void statementsTheSourceRefusesInAFailedTransactionDoNotReachTheTarget() throws Exception {
        double before = divergences.total();
        try (Connection client = open(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("INSERT INTO noted VALUES (20)");
            statement.execute("SAVEPOINT one");
            assertThrows(SQLException.class, () -> statement.execute("SELECT 0/0"));
            assertThrows(SQLException.class, () -> statement.execute("SAVEPOINT two"));
            assertThrows(SQLException.class, () -> statement.execute("RELEASE SAVEPOINT one"));
            statement.execute("ROLLBACK TO SAVEPOINT one");
            statement.execute("INSERT INTO noted VALUES (21)");
            client.commit();
        }
        assertEquals(before, divergences.total(), "no divergence");
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
    }

    /**
     * A replication connection speaks the replication protocol, not SQL: relayed to the source as it is, never
     * wrapped in a transaction nor sent to the target.
     */
    @Test
    void aReplicationConnectionIsRelayedToTheSourceUntouched() {
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        String replication = "dbname=" + DATABASE + " replication=database";
        String system = Psql.against(proxy).run(List.of("-d", replication, "-c", "IDENTIFY_SYSTEM"), null)
                .requireSuccess().stdout();
        String sourceSystem = Psql.against(DualWriteDatabases.source(DATABASE))
                .query("select system_identifier from pg_control_system()");
        assertTrue(system.startsWith(sourceSystem + "|"), system + " is the source's " + sourceSystem);
        Psql.against(proxy).run(List.of("-d", replication, "-c",
                "CREATE_REPLICATION_SLOT exodus_relayed_slot LOGICAL pgoutput"), null).requireSuccess();
        String slots = "select count(*) from pg_replication_slots where slot_name = 'exodus_relayed_slot'";
        assertEquals("1", Psql.against(DualWriteDatabases.source(DATABASE)).query(slots));
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query(slots));
        Psql.against(proxy).run(List.of("-d", replication, "-c", "DROP_REPLICATION_SLOT exodus_relayed_slot"), null)
                .requireSuccess();
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE)).query(slots));
    }

    /**
     * A deferred trigger's RAISE NOTICE at COMMIT reaches the client, under every policy: Exodus sends the COMMIT
     * itself and answers it, and dropped the notices with the rest of the answer (the regression suite's triggers),
     * as it did those of the COMMIT it adds to an autocommit write (foreign_key).
     */
    @ParameterizedTest
    @EnumSource(ConsistencyPolicy.class)
    void noticesOfTheCommitReachTheClient(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String table = "deferred_" + policy.name().toLowerCase(java.util.Locale.ROOT);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id int primary key)");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function exodus_say_committed() returns trigger "
                + "language plpgsql as $$ begin raise notice 'row % committed', new.id; return null; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create constraint trigger say_committed after insert on " + table
                + " deferrable initially deferred for each row execute function exodus_say_committed()");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function exodus_say_inserted() returns trigger "
                + "language plpgsql as $$ begin raise notice 'row % inserted', new.id; return null; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create trigger say_inserted after insert on " + table
                + " for each row execute function exodus_say_inserted()");
        try (Connection client = open(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("INSERT INTO " + table + " VALUES (7)");
            client.clearWarnings();
            client.commit();
            SQLWarning warning = client.getWarnings();
            assertTrue(warning != null && warning.getMessage().contains("row 7 committed"),
                    "the notice of the COMMIT: " + warning);
            // An autocommit write, which Exodus wraps in a transaction of its own: the notice of its COMMIT comes
            // after the statement's own, before its completion, as PostgreSQL sends them.
            client.setAutoCommit(true);
            statement.execute("INSERT INTO " + table + " VALUES (8)");
            SQLWarning first = statement.getWarnings();
            assertTrue(first != null && first.getMessage().contains("row 8 inserted"), "the statement's: " + first);
            SQLWarning second = first.getNextWarning();
            assertTrue(second != null && second.getMessage().contains("row 8 committed"),
                    "then the wrapped COMMIT's: " + second);
        } finally {
            migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    /**
     * A READ ONLY transaction may still write the session's temporary objects ({@code nextval()} of a temporary
     * sequence, as the regression suite's sequence test does). The target took no part in it, so two-phase-commit
     * refused the write ("the target database is unavailable") and the others left it out; now the target joins the
     * transaction at its first write, in the same modes, and the temporary sequence moves on both.
     */
    @UnderPoliciesPromisingBoth
    void aWriteOfATemporaryObjectInAReadOnlyTransactionReachesTheTarget(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "preferQueryMode", "simple"); Statement statement = client.createStatement()) {
            statement.execute("create temporary sequence read_only_seq");
            statement.execute("create temporary table read_only_rows (n int)");
            // As the client's own statements: a driver's BEGIN (autocommit off) would open the transaction first.
            statement.execute("start transaction read only");
            assertEquals(1, single(statement.executeQuery("select nextval('read_only_seq')")));
            assertEquals(1, statement.executeUpdate("insert into read_only_rows values (7)"));
            SQLException refused = assertThrows(SQLException.class,
                    () -> statement.execute("create table read_only_refused (n int)"));
            assertEquals("25006", refused.getSQLState(), refused.getMessage());
            statement.execute("rollback");
            statement.execute("start transaction read only");
            assertEquals(2, single(statement.executeQuery("select nextval('read_only_seq')")));
            statement.execute("commit");
            // The target's temporary sequence drew along: an INSERT whose text runs there (several statements in
            // one query are not copied as rows) takes the same value on both.
            statement.execute("create table read_only_drawn (n int)");
            statement.execute("insert into read_only_drawn select nextval('read_only_seq'); select 1");
        } finally {
            migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "read_only_drawn");
        DualWriteDatabases.onBoth(DATABASE, "drop table read_only_drawn");
    }

    /**
     * A statement may name the session's temporary schema by its real name, learnt from {@code pg_my_temp_schema()}
     * on the source ({@code REINDEX SCHEMA pg_temp_3}, as the regression suite's create_index does). The target's
     * session has another number: the target fails a statement that names the source's (two-phase-commit failed the
     * client with it, both-required counted a divergence), so the target gets its own session's name.
     */
    @UnderPoliciesPromisingBoth
    void aStatementNamingTheSessionsTemporarySchemaNamesTheTargetSessionsOwnThere(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        double before = divergences.total();
        List<Connection> heldOnTheSecondary = new ArrayList<>();
        Connection client = null;
        try {
            String primarySchema = null;
            String table = null;
            // The lowest free backend slot numbers a session's schema. Until the two differ, a session held on the
            // secondary takes the slot the client's session there had.
            for (int attempt = 0; primarySchema == null; attempt++) {
                assertTrue(attempt < 8, "the session's temporary schemas keep the same name on both databases");
                client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE), "preferQueryMode", "simple");
                // A closed session drops its temporary tables a moment later: each attempt names its own.
                table = "numbered_schema_rows_" + attempt;
                try (Statement statement = client.createStatement()) {
                    statement.execute("create temporary table " + table + " (n int primary key, t text)");
                    try (ResultSet name = statement.executeQuery("select pg_my_temp_schema()::regnamespace::text")) {
                        assertTrue(name.next());
                        primarySchema = name.getString(1);
                    }
                }
                String secondarySchema = Psql.against(DualWriteDatabases.secondary(DATABASE)).query("select nspname"
                        + " from pg_namespace n join pg_class c on c.relnamespace = n.oid"
                        + " where c.relname = '" + table + "'");
                if (secondarySchema.equals(primarySchema)) {
                    primarySchema = null;
                    client.close();
                    Connection held = DualWriteDatabases.open(DualWriteDatabases.secondary(DATABASE));
                    heldOnTheSecondary.add(held);
                    try (Statement statement = held.createStatement()) {
                        statement.execute("create temporary table slot_holder (n int)");
                    }
                }
            }
            try (Statement statement = client.createStatement()) {
                statement.execute("insert into " + table + " values (1, repeat('x', 5000))");
                statement.execute("reindex schema " + primarySchema);
                statement.execute("reindex schema concurrently \"" + primarySchema + "\"");
                statement.execute("begin");
                statement.execute("insert into " + primarySchema + "." + table + " values (2, 'two')");
                statement.execute("commit");
                statement.execute("update " + primarySchema + "." + table + " set t = 'one' where n = 1");
                statement.execute("create table numbered_schema_copy as select * from " + table);
            }
        } finally {
            if (client != null) {
                client.close();
            }
            for (Connection held : heldOnTheSecondary) {
                held.close();
            }
            migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        }
        assertEquals(before, divergences.total(), "no divergence");
        DualWriteDatabases.assertIdentical(DATABASE, "numbered_schema_copy");
        DualWriteDatabases.onBoth(DATABASE, "drop table numbered_schema_copy");
    }

    /**
     * A database that had sessions through Exodus can be dropped through it, as directly once they are gone. Exodus's
     * own connections there (the catch-up queue's polls, the two-phase decision log) made {@code DROP DATABASE} fail
     * with 55006, "being accessed by other users", on the source.
     */
    @UnderPoliciesPromisingBoth
    void aDatabaseThatHadSessionsThroughExodusCanBeDroppedThroughIt(ConsistencyPolicy policy) throws Exception {
        String dropped = "dw_dropped_" + policy.name().toLowerCase(java.util.Locale.ROOT);
        DualWriteDatabases.recreate(dropped);
        migration.changePolicy(policy);
        try {
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, dropped));
                    Statement statement = client.createStatement()) {
                statement.execute("create table kept (n int)");
                statement.execute("insert into kept values (1)");
                client.setAutoCommit(false);
                statement.execute("insert into kept values (2)");
                client.commit();
            }
            try (Connection client = open(); Statement statement = client.createStatement()) {
                statement.execute("drop database " + dropped);
            }
        } finally {
            migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        }
        String exists = "select count(*) from pg_database where datname = '" + dropped + "'";
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE)).query(exists), "dropped on the source");
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query(exists), "dropped on the target");
    }

    /**
     * Back in phase direct, the catch-up queue of a database that had dual-write sessions stops being polled once it
     * holds nothing, so that the database can be dropped: its polls kept a connection there for as long as the proxy
     * ran, and {@code DROP DATABASE} failed with 55006 whichever way it was sent.
     */
    @Test
    void aDatabaseThatHadDualWriteSessionsCanBeDroppedOnceThePhaseIsDirect() throws Exception {
        Assumptions.assumeTrue(DualWriteDatabases.primarySide() == Side.SOURCE, "a return to phase direct is from dual-write");
        String dropped = "dw_dropped_in_direct";
        DualWriteDatabases.recreate(dropped);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, dropped));
                Statement statement = client.createStatement()) {
            statement.execute("create table kept (n int)");
            statement.execute("insert into kept values (1)");
        }
        migration.changePhase(MigrationPhase.DIRECT);
        try (Connection source = DualWriteDatabases.open(DualWriteDatabases.source(DATABASE));
                Statement statement = source.createStatement()) {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    statement.execute("drop database " + dropped);
                    break;
                } catch (SQLException inUse) {
                    assertEquals("55006", inUse.getSQLState(), inUse.toString());
                    assertTrue(System.nanoTime() < deadline, "still in use after 20 s: " + inUse.getMessage());
                }
            }
        } finally {
            migration.changePhase(MigrationPhase.DUAL_WRITE);
        }
        try (Connection target = DualWriteDatabases.open(DualWriteDatabases.target(DATABASE));
                Statement statement = target.createStatement()) {
            statement.execute("drop database " + dropped);
        }
    }

    private static long single(ResultSet rows) throws SQLException {
        try (rows) {
            assertTrue(rows.next());
            return rows.getLong(1);
        }
    }

    /** The application's own two-phase commit: prepared, committed and rolled back on both databases alike. */
    @UnderPoliciesPromisingBoth
    void applicationTwoPhaseCommitIsMirrored(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        double before = divergences.total();
        String suffix = policy.name().toLowerCase(java.util.Locale.ROOT);
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("BEGIN");
            statement.execute("INSERT INTO noted VALUES (" + (100 + policy.ordinal()) + ")");
            statement.execute("PREPARE TRANSACTION 'app_commit_" + suffix + "'");
            statement.execute("BEGIN");
            statement.execute("INSERT INTO noted VALUES (" + (200 + policy.ordinal()) + ")");
            statement.execute("PREPARE TRANSACTION 'app_rollback_" + suffix + "'");
        }
        String prepared = "select gid from pg_prepared_xacts where gid like 'app_%' order by gid";
        assertEquals(Psql.against(DualWriteDatabases.source(DATABASE)).query(prepared),
                Psql.against(DualWriteDatabases.target(DATABASE)).query(prepared), "prepared on both");
        // Finished from another session, as a transaction manager does.
        try (Connection manager = open(); Statement statement = manager.createStatement()) {
            statement.execute("COMMIT PREPARED 'app_commit_" + suffix + "'");
            statement.execute("ROLLBACK PREPARED 'app_rollback_" + suffix + "'");
        }
        for (ConnectionTarget server : new ConnectionTarget[] { DualWriteDatabases.source(DATABASE),
                DualWriteDatabases.target(DATABASE) }) {
            assertEquals("", Psql.against(server).query(prepared), "nothing left prepared on " + server);
        }
        assertEquals(before, divergences.total(), "no divergence");
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    /**
     * PostgreSQL's prepared_xacts: a PREPARE TRANSACTION refused on the source (its gid is taken) ends the transaction
     * there; the target's part of it must end too, or the client's next ROLLBACK PREPARED meets an open transaction on
     * the target and the first transaction stays prepared there, its locks held for ever.
     */
    @UnderPoliciesPromisingBoth
    void aRefusedPrepareTransactionEndsTheTransactionOnBothDatabases(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String gid = "taken_" + policy.name().toLowerCase(java.util.Locale.ROOT);
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("BEGIN");
            statement.execute("INSERT INTO noted VALUES (" + (300 + policy.ordinal()) + ")");
            statement.execute("PREPARE TRANSACTION '" + gid + "'");
            statement.execute("BEGIN");
            statement.execute("INSERT INTO noted VALUES (" + (400 + policy.ordinal()) + ")");
            SQLException taken = assertThrows(SQLException.class,
                    () -> statement.execute("PREPARE TRANSACTION '" + gid + "'"));
            assertEquals("42710", taken.getSQLState(), taken.getMessage());
            statement.execute("ROLLBACK PREPARED '" + gid + "'");
            statement.execute("INSERT INTO noted VALUES (" + (500 + policy.ordinal()) + ")");
        }
        String prepared = "select count(*) from pg_prepared_xacts where gid = '" + gid + "'";
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE)).query(prepared));
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query(prepared),
                "nothing left prepared on the target");
        DualWriteDatabases.assertIdentical(DATABASE, "noted");
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    /**
     * PostgreSQL's prepared_xacts, its write-skew case: the INSERT fails on the source with a serialization failure,
     * and the client's PREPARE TRANSACTION then only rolls the source's transaction back (PostgreSQL answers it with
     * ROLLBACK). The target's part must end as well: left open there, it made the client's next ROLLBACK PREPARED
     * fail on the target, so that the first transaction stayed prepared there and its locks stopped the replay queue.
     */
    @UnderPoliciesPromisingBoth
    void aPrepareTransactionAfterASerializationFailureEndsTheTransactionOnBothDatabases(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        String table = "skew_" + policy.name().toLowerCase(java.util.Locale.ROOT);
        String gid = "skew4_" + policy.name().toLowerCase(java.util.Locale.ROOT);
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (foobar text)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + table + " values ('aaa'), ('ddd')");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE),
                "preferQueryMode", "simple"); Statement statement = client.createStatement()) {
            statement.execute("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            statement.execute("UPDATE " + table + " SET foobar = 'eee' WHERE foobar = 'ddd'");
            statement.execute("SELECT * FROM " + table);
            statement.execute("PREPARE TRANSACTION '" + gid + "'");
            statement.execute("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            statement.execute("SELECT * FROM " + table);
            SQLException skew = assertThrows(SQLException.class,
                    () -> statement.execute("INSERT INTO " + table + " VALUES ('fff')"));
            assertEquals("40001", skew.getSQLState(), skew.getMessage());
            statement.execute("PREPARE TRANSACTION 'skew5'");
            statement.execute("ROLLBACK PREPARED '" + gid + "'");
            statement.execute("INSERT INTO " + table + " VALUES ('after')");
        }
        String prepared = "select count(*) from pg_prepared_xacts where gid in ('" + gid + "', 'skew5')";
        assertEquals("0", Psql.against(DualWriteDatabases.source(DATABASE)).query(prepared));
        assertEquals("0", Psql.against(DualWriteDatabases.target(DATABASE)).query(prepared),
                "nothing left prepared on the target");
        DualWriteDatabases.assertIdentical(DATABASE, table);
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    private Connection open() throws SQLException {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
    }
}
