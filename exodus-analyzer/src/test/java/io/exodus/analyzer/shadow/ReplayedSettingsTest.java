package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.capture.SessionSettings;

class ReplayedSettingsTest {

    @Test
    void theSessionsSettingsAreGivenButNotThoseOfTheReplayItself() {
        ReplayedSettings settings = ReplayedSettings.of(Map.of("search_path", "app, public", "timezone", "UTC",
                "statement_timeout", "0", "role", "app", "client_encoding", "LATIN1", "intervalstyle",
                "postgres_verbose", "default_transaction_read_only", "off"));
        assertEquals(new ReplayedSettings.Applied(Map.of("search_path", "app, public", "timezone", "UTC")), settings);
    }

    @Test
    void dateStyleKeepsItsFieldOrderWithOutputTheReplayReads() {
        assertEquals(Map.of("datestyle", "ISO, DMY"), applied(Map.of("datestyle", "SQL, DMY")));
        assertEquals(Map.of("datestyle", "ISO, DMY"), applied(Map.of("datestyle", "German")));
        assertEquals(Map.of("datestyle", "ISO, MDY"), applied(Map.of("datestyle", "Postgres, US")));
        assertEquals(Map.of("datestyle", "ISO"), applied(Map.of("datestyle", "ISO")));
    }

    @Test
    void aValueTheProxyDidNotShipMakesTheExecutionNotReplayableAndSaysWhich() {
        ReplayedSettings withheld = ReplayedSettings.of(Map.of("app.tenant", SessionSettings.WITHHELD));
        assertTrue(withheld instanceof ReplayedSettings.Unappliable refused
                && refused.reason().contains("app.tenant"), withheld.toString());
        assertTrue(ReplayedSettings.of(Map.of("timezone", SessionSettings.UNREADABLE))
                instanceof ReplayedSettings.Unappliable);
        assertEquals(Map.of(), applied(Map.of("role", SessionSettings.WITHHELD)), "a setting left out anyway");
        assertEquals(Map.of(), applied(null));
    }

    private static Map<String, String> applied(Map<String, String> captured) {
        return ((ReplayedSettings.Applied) ReplayedSettings.of(captured)).settings();
    }
}
