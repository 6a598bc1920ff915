package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Row images follow the table through ALTER TABLE: the shape Exodus cached for a table (which columns it copies,
 * which the target computes) is read again after DDL, in the same session and in another one.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteSchemaChangesTest {
    private static final String DATABASE = "dw_schema_changes";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @Test
    void aColumnWhoseExpressionWasDroppedIsCopiedFromThenOn() throws Exception {
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("create table measured (id bigserial primary key, n int, doubled int generated always as "
                    + "(n * 2) stored)");
            statement.execute("insert into measured (n) values (1)");
            statement.execute("alter table measured alter column doubled drop expression");
            statement.execute("insert into measured (n, doubled) values (5, 77)");
        }
        try (Connection other = open(); PreparedStatement insert = other.prepareStatement(
                "insert into measured (n, doubled) values (?, ?)")) {
            insert.setInt(1, 6);
            insert.setInt(2, 78);
            insert.executeUpdate();
        }
        DualWriteDatabases.assertIdentical(DATABASE, "measured");
    }

    @Test
    void droppedAndAddedColumnsChangeTheRowImage() throws Exception {
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("create table reshaped (id bigserial primary key, a text, b text, c text)");
            statement.execute("insert into reshaped (a, b, c) values ('a1', 'b1', 'c1')");
            statement.execute("alter table reshaped drop column b");
            statement.execute("insert into reshaped (a, c) values ('a2', 'c2')");
            // Added without defaults (a volatile default would fill the existing rows on each server by itself).
            statement.execute("alter table reshaped add column stamped timestamptz, add column uid uuid");
            statement.execute("alter table reshaped alter column stamped set default clock_timestamp(), "
                    + "alter column uid set default gen_random_uuid()");
            statement.execute("insert into reshaped (a, c) values ('a3', 'c3')");
        }
        try (Connection other = open(); Statement statement = other.createStatement()) {
            statement.execute("insert into reshaped (a, c) values ('a4', 'c4')");
        }
        DualWriteDatabases.assertIdentical(DATABASE, "reshaped");
    }

    @Test
    void aShapeReadInsideATransactionThatChangedTheTableDoesNotOutliveIt() throws Exception {
        try (Connection client = open(); Statement statement = client.createStatement()) {
            statement.execute("create table undone (id bigserial primary key, a text)");
            client.setAutoCommit(false);
            statement.execute("alter table undone add column later timestamptz");
            statement.execute("alter table undone alter column later set default clock_timestamp()");
            statement.execute("insert into undone (a) values ('rolled back')");
            client.rollback();
            client.setAutoCommit(true);
            statement.execute("insert into undone (a) values ('after the rollback')");
        }
        try (Connection other = open(); Statement statement = other.createStatement()) {
            statement.execute("insert into undone (a) values ('another session')");
        }
        DualWriteDatabases.assertIdentical(DATABASE, "undone");
    }

    private Connection open() throws Exception {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
    }
}
