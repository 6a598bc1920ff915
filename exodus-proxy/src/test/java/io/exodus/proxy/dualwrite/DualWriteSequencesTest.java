package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.sequences.SequencePositions;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The secondary's sequences follow the primary's during dual-write: row images give the secondary the values the
 * primary drew, not the draws, and without {@code exodus.migration.sequence-follow} its sequences stayed at their
 * start (the regression suite's comparison found 16 of them behind). One that is ahead is never moved back. The
 * source follows the target so after the cutover ({@link DualWriteSequencesAfterCutoverTest}).
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteSequencesTest {
    private static String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    BackendEndpoints endpoints;

    @Inject
    Vertx vertx;

    @BeforeAll
    static void createDatabase() throws SQLException {
        database = "dw_sequences_" + DualWriteDatabases.primarySide().configName();
        DualWriteDatabases.recreate(database);
    }

    @Test
    void theSecondarysSequencesCatchUpWithThePrimarysAndNoneGoesBack() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("create table drawn (id bigserial primary key, n int generated always as identity, "
                    + "label text)");
            statement.execute("create sequence counted start 10 increment 5");
            statement.execute("create sequence ahead");
            statement.execute("insert into drawn (label) select 'row ' || g from generate_series(1, 7) g");
            statement.execute("select nextval('counted'), nextval('counted')");
        }
        try (Connection secondary = DualWriteDatabases.secondary(database).openJdbc();
                Statement statement = secondary.createStatement()) {
            statement.execute("select setval('ahead', 500)");
        }
        long deadline = System.nanoTime() + DualWriteProfile.SEQUENCE_FOLLOW.multipliedBy(10).toNanos();
        while (!positions(DualWriteDatabases.secondary(database))
                .equals("ahead=500,counted=15,drawn_id_seq=7,drawn_n_seq=7") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("ahead=null,counted=15,drawn_id_seq=7,drawn_n_seq=7",
                positions(DualWriteDatabases.primary(database)));
        assertEquals("ahead=500,counted=15,drawn_id_seq=7,drawn_n_seq=7",
                positions(DualWriteDatabases.secondary(database)));
        DualWriteDatabases.assertIdentical(database, "drawn");
    }

    /**
     * The sequences of a database no session used through Exodus are left alone, and Exodus opens no connection to
     * it: an administrator's CREATE database … DROP database runs as it would directly (the regression suite's
     * database test failed with "being accessed by other users" while every database was followed).
     */
    @Test
    void aDatabaseNoSessionUsedIsNotConnectedTo() throws Exception {
        String untouched = "dw_sequences_untouched";
        try (Connection primary = DualWriteDatabases.primary("postgres").openJdbc();
                Statement statement = primary.createStatement()) {
            statement.execute("drop database if exists " + untouched);
            statement.execute("create database " + untouched);
            long until = System.nanoTime() + DualWriteProfile.SEQUENCE_FOLLOW.multipliedBy(3).toNanos();
            while (System.nanoTime() < until) {
                try (ResultSet who = statement.executeQuery("select count(*) from pg_stat_activity where datname = '"
                        + untouched + "'")) {
                    who.next();
                    assertEquals(0, who.getLong(1), "connections to a database no session used");
                }
                Thread.sleep(100);
            }
            statement.execute("drop database " + untouched);
        }
    }

    /**
     * A restart that reaches both databases while a round of following is under way ({@code TRUNCATE … RESTART
     * IDENTITY} in the regression suite, under load) is not undone on the secondary by the position the primary had
     * before it: the secondary ended ahead of the primary, for good, since nothing moves a sequence back. The round is
     * held on the secondary by the restart's own lock, so that the primary's restart commits during it.
     */
    @Test
    void aRestartDuringARoundOfFollowingIsNotUndoneOnTheSecondary() throws Exception {
        String restarted = database + "_restart";
        DualWriteDatabases.recreate(restarted);
        DualWriteDatabases.onBoth(restarted, "create sequence r");
        try (Connection primary = DualWriteDatabases.primary(restarted).openJdbc();
                Statement statement = primary.createStatement()) {
            statement.execute("select nextval('r'), nextval('r'), nextval('r')");
        }
        ControlConnections connections = new ControlConnections(vertx);
        try (Connection secondary = DualWriteDatabases.secondary(restarted).openJdbc();
                Statement restart = secondary.createStatement()) {
            secondary.setAutoCommit(false);
            restart.execute("alter sequence r restart");
            boolean primaryIsSource = DualWriteDatabases.primarySide() == Side.SOURCE;
            BackendEndpoint from = primaryIsSource ? endpoints.source() : endpoints.target().orElseThrow();
            BackendEndpoint to = primaryIsSource ? endpoints.target().orElseThrow() : endpoints.source();
            CompletableFuture<Integer> round = new SequencePositions(connections).follow(from, to, List.of(restarted))
                    .toCompletionStage().toCompletableFuture();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (DualWriteDatabases.count(DualWriteDatabases.secondary("postgres"), "select count(*) from "
                    + "pg_stat_activity where datname = '" + restarted + "' and wait_event_type = 'Lock'") == 0) {
                assertTrue(System.nanoTime() < deadline, "the round never waited for the restart's lock");
                Thread.sleep(20);
            }
            try (Connection primary = DualWriteDatabases.primary(restarted).openJdbc();
                    Statement statement = primary.createStatement()) {
                statement.execute("alter sequence r restart");
            }
            secondary.commit();
            round.get(10, TimeUnit.SECONDS);
        } finally {
            connections.close();
        }
        assertEquals("r=null", positions(DualWriteDatabases.primary(restarted)));
        assertEquals("r=null", positions(DualWriteDatabases.secondary(restarted)),
                "the secondary's restart undone by the primary's position from before its own");
    }

    /**
     * A round reads every sequence of a database, locking each; one that waited for a sequence the application holds
     * could deadlock with DDL that takes them in another order ({@code DROP SCHEMA … CASCADE}), and PostgreSQL might
     * cancel the application's statement. A round gives up after a short wait instead, and the next one follows.
     */
    @Test
    void aRoundYieldsToASequenceTheApplicationHoldsLocked() throws Exception {
        String locked = database + "_locked";
        DualWriteDatabases.recreate(locked);
        String waiting = "select count(*) from pg_stat_activity where datname = '" + locked + "' and application_name "
                + "= 'exodus-control' and wait_event_type = 'Lock' and now() - query_start > interval '500 ms'";
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, locked));
                Statement statement = client.createStatement()) {
            statement.execute("create sequence held");
            statement.execute("create table t (id bigserial primary key)");
            try (Connection holder = DualWriteDatabases.primary(locked).openJdbc();
                    Statement hold = holder.createStatement()) {
                holder.setAutoCommit(false);
                hold.execute("alter sequence held owned by none");
                long until = System.nanoTime() + DualWriteProfile.SEQUENCE_FOLLOW.multipliedBy(4).toNanos();
                while (System.nanoTime() < until) {
                    // Each round visits the databases written through Exodus since the last one.
                    statement.execute("insert into t default values");
                    assertEquals(0, DualWriteDatabases.count(DualWriteDatabases.primary("postgres"), waiting),
                            "a round of following waits for the application's lock");
                    Thread.sleep(50);
                }
                holder.rollback();
            }
            statement.execute("insert into t default values");
        }
        String drawn = positions(DualWriteDatabases.primary(locked));
        long deadline = System.nanoTime() + DualWriteProfile.SEQUENCE_FOLLOW.multipliedBy(10).toNanos();
        while (!positions(DualWriteDatabases.secondary(locked)).equals(drawn) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(drawn, positions(DualWriteDatabases.secondary(locked)), "the rounds after the lock follow");
    }

    private static String positions(ConnectionTarget side) throws SQLException {
        try (Connection connection = side.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select string_agg(sequencename || '=' || "
                        + "coalesce(last_value::text, 'null'), ',' order by sequencename) from pg_sequences "
                        + "where schemaname = 'public'")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
