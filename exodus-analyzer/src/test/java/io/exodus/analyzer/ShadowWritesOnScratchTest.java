package io.exodus.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.testsupport.ConnectionTarget;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code writes: rollback}: captured writes replay on the scratch copies ({@link ShadowMigration#SCRATCH}), compared
 * like reads, and leave nothing behind there or on the live databases.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowMigration.class, restrictToAnnotatedClass = true)
class ShadowWritesOnScratchTest {
    static final String UPPER = "UPDATE words SET word = upper(word) WHERE id = $1 RETURNING id, word";
    static final String BY_CAST = "UPDATE words SET word = word || $1 WHERE length(id) < length(word)";

    @Test
    void writesRunRolledBackOnTheScratchCopiesOnlyAndCompareLikeReads() throws Exception {
        Instant now = Instant.now();
        List<StatementEvent> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add(ShadowMigration.extended(now.plusMillis(i), i, StatementClass.WRITE, UPPER, String.valueOf(i)));
            events.add(ShadowMigration.extended(now.plusMillis(i), i, StatementClass.WRITE, BY_CAST, "!"));
        }
        JsonPath replay = ShadowMigration.captureAndReplay(events, Map.of("since", now.minusSeconds(1).toString(),
                "fingerprints", List.of(SqlNormalizer.fingerprint(UPPER), SqlNormalizer.fingerprint(BY_CAST)),
                "writes", "rollback"));

        assertEquals("same", ShadowMigration.answersVerdict(replay, SqlNormalizer.fingerprint(UPPER)),
                replay.prettify());
        assertEquals(5, replay.getInt("statements.find { it.fingerprint == '" + SqlNormalizer.fingerprint(UPPER)
                + "' }.replayed"));
        assertEquals("error", verdict(replay, BY_CAST), replay.prettify());
        String target = replay.getString("findings.find { it.fingerprint == '" + SqlNormalizer.fingerprint(BY_CAST)
                + "' }.target");
        assertTrue(target.startsWith("ERROR 42883"), target);

        for (ConnectionTarget database : List.of(ShadowMigration.scratch(ShadowMigration.source()),
                ShadowMigration.scratch(ShadowMigration.target()), ShadowMigration.database(ShadowMigration.source()),
                ShadowMigration.database(ShadowMigration.target()))) {
            assertEquals(0, changedWords(database), "every replayed write rolled back in " + database.database());
        }
    }


    private static String verdict(JsonPath replay, String sql) {
        return replay.getString("statements.find { it.fingerprint == '" + SqlNormalizer.fingerprint(sql)
                + "' }.verdict");
    }

    private static int changedWords(ConnectionTarget database) throws Exception {
        try (Connection connection = database.openJdbc(); Statement sql = connection.createStatement();
                ResultSet changed = sql.executeQuery(
                        "SELECT count(*) FROM words WHERE word = upper(word) OR word LIKE '%!'")) {
            changed.next();
            return changed.getInt(1);
        }
    }
}
