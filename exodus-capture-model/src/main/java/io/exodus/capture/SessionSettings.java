package io.exodus.capture;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The session settings a statement event carries ({@link StatementEvent#settings()}): setting names in lower case
 * (PostgreSQL's are case-insensitive), each value as {@code set_config} takes it ({@code search_path}:
 * {@code app, "My Schema"}), or one of two markers for a setting the session gave but whose value the proxy does not
 * ship. Shadow replay gives each replayed statement the settings its session had; a marker makes that execution not
 * replayable, which is better than replaying it under another setting (docs/adr/0040).
 */
public final class SessionSettings {
    /** The value was held back: the name matches exodus.capture.redact, or a custom setting without parameter capture. */
    public static final String WITHHELD = "<redacted>";
    /** The proxy could not read the value from the statement that set it (a form it does not parse). */
    public static final String UNREADABLE = "<unreadable>";

    private SessionSettings() {
    }

    /** Whether a value is one of the markers rather than a value. */
    public static boolean isMarker(String value) {
        return WITHHELD.equals(value) || UNREADABLE.equals(value);
    }

    /** The settings sorted by name, names checked and in lower case, unmodifiable. */
    static Map<String, String> checked(Map<String, String> settings) {
        Map<String, String> sorted = new TreeMap<>();
        settings.forEach((name, value) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("settings has a setting without a name");
            }
            if (value == null) {
                throw new IllegalArgumentException("settings." + name + " has no value");
            }
            sorted.put(name.toLowerCase(Locale.ROOT), value);
        });
        return Collections.unmodifiableMap(sorted);
    }
}
