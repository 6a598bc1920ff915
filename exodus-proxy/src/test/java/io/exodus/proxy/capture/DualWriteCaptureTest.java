package io.exodus.proxy.capture;

import io.exodus.capture.Protocol;
import io.exodus.capture.StatementEvent;
import io.exodus.capture.TransactionBoundary;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Phase dual-write with capture on: the dual-write relay's statements are captured as phase direct's are, and a write
 * carries each database's time for it — the source's and the target's — while a read ran on the source only.
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
@TestProfile(DualWriteCaptureProfile.class)
class DualWriteCaptureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @ConfigProperty(name = "test.analyzer-intake")
    String intake;

    @Test
    void aWriteCarriesTheTimeOfEachLegAndAReadOnlyTheSources() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        Properties properties = new Properties();
        // The superuser has the same secret on both servers, so that its sessions open on the target too.
        properties.setProperty("user", TestUsers.SUPERUSER);
        properties.setProperty("password", TestUsers.SUPERUSER_PASSWORD);
        properties.setProperty("sslmode", "disable");
        try (Connection connection = new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                properties)) {
            connection.createStatement().execute("drop table if exists capture_legs");
            connection.createStatement().execute("create table capture_legs (id int primary key, note text)");
            try (PreparedStatement insert = connection.prepareStatement("insert into capture_legs values (?, ?)")) {
                insert.setInt(1, 1);
                insert.setString(2, "both legs");
                assertEquals(1, insert.executeUpdate());
            }
            connection.createStatement().executeQuery("select note from capture_legs where id = 1").close();
        }
        StatementEvent insert = captured.await(event -> event.text().equals("insert into capture_legs values ($1, $2)"),
                1, WAIT).get(0);
        assertEquals(Protocol.EXTENDED, insert.protocol());
        assertEquals(1L, insert.rows());
        assertEquals(TransactionBoundary.AUTOCOMMIT, insert.transactionBoundary());
        assertNotNull(insert.sourceMicros(), "the source's time");
        assertNotNull(insert.targetMicros(), "the target's time");

        StatementEvent read = captured.await(event -> event.text().equals(
                "select note from capture_legs where id = $1"), 1, WAIT).get(0);
        assertEquals(1L, read.rows());
        assertNotNull(read.sourceMicros());
        assertNull(read.targetMicros(), "a read outside canary runs on the source only");
    }
}
