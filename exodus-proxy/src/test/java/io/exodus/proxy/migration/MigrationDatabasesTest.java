package io.exodus.proxy.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationDatabasesTest {

    @Test
    void everyDatabaseUnlessNamed() {
        assertTrue(MigrationDatabases.of(List.of()).includes("anything"));
        assertEquals(MigrationDatabases.ALL, MigrationDatabases.parse("*"));
        assertEquals(MigrationDatabases.ALL, MigrationDatabases.parse(null));
        assertEquals("*", MigrationDatabases.ALL.stored());
    }

    @Test
    void namedDatabasesRoundTripThroughTheControlState() {
        MigrationDatabases app = MigrationDatabases.of(List.of("app", "billing \"eu\""));
        assertTrue(app.includes("app"));
        assertFalse(app.includes("App"), "names are exact, as PostgreSQL's are");
        assertFalse(app.includes("other"));
        assertEquals(app, MigrationDatabases.parse(app.stored()));
        assertEquals(List.of("app", "billing \"eu\""), app.list());
    }

    @Test
    void malformedStateSaysWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MigrationDatabases.parse("app, billing"));
        assertTrue(e.getMessage().contains("* or a JSON array of names"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MigrationDatabases.parse("[]"));
        assertThrows(IllegalArgumentException.class, () -> MigrationDatabases.parse("[\"\"]"));
    }
}
