package io.exodus.analyzer.shadow;

import io.exodus.capture.SessionSettings;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The session settings a captured execution is replayed under, on both sides alike: those its session had when it
 * ran (docs/adr/0040), set for the replay's transaction only ({@code set_config(…, true)}), so that an unqualified
 * name finds the table it found for the client and a time zone renders a timestamp as the client saw it.
 * <p>
 * Left out: what would change the replay rather than the statement (its timeouts, its read-only transaction, its
 * isolation), the role (the replay runs as its own), the encoding and IntervalStyle (the replay's client reads the
 * default forms; IntervalStyle changes the output only). DateStyle keeps its day-month order, which decides how a date
 * literal reads, with ISO output, which the replay's client reads. A setting whose value the proxy did not ship makes
 * the execution not replayable: replaying it under another value could find a difference that is none, or miss one.
 */
sealed interface ReplayedSettings permits ReplayedSettings.Applied, ReplayedSettings.Unappliable {

    Set<String> LEFT_OUT = Set.of("role", "session_authorization", "client_encoding", "application_name",
            "intervalstyle", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
            "idle_session_timeout", "transaction_timeout", "default_transaction_read_only", "transaction_read_only",
            "default_transaction_isolation", "transaction_isolation", "default_transaction_deferrable",
            "transaction_deferrable");

    /** @param settings by name, to give the replay's transaction; empty for none */
    record Applied(Map<String, String> settings) implements ReplayedSettings {
    }

    record Unappliable(String reason) implements ReplayedSettings {
    }

    static ReplayedSettings of(Map<String, String> captured) {
        if (captured == null || captured.isEmpty()) {
            return new Applied(Map.of());
        }
        Map<String, String> applied = new TreeMap<>();
        for (Map.Entry<String, String> setting : captured.entrySet()) {
            String name = setting.getKey().toLowerCase(Locale.ROOT);
            String value = setting.getValue();
            if (LEFT_OUT.contains(name)) {
                continue;
            }
            if (SessionSettings.WITHHELD.equals(value)) {
                return new Unappliable("its session set " + name + ", whose value the proxy withheld "
                        + "(a name matching exodus.capture.redact, or a custom setting without "
                        + "exodus.capture.parameters=sampled or all)");
            }
            if (SessionSettings.UNREADABLE.equals(value)) {
                return new Unappliable("its session set " + name + " in a form the proxy does not read");
            }
            applied.put(name, name.equals("datestyle") ? isoOutput(value) : value);
        }
        return new Applied(applied);
    }

    /**
     * DateStyle with ISO output and the captured field order ({@code SQL, DMY} → {@code ISO, DMY}); German output
     * implies day first, as in PostgreSQL's check_datestyle.
     */
    private static String isoOutput(String dateStyle) {
        for (String part : dateStyle.split("[,\\s]+")) {
            String word = part.toUpperCase(Locale.ROOT);
            switch (word) {
                case "DMY", "EURO", "EUROPEAN", "GERMAN" -> {
                    return "ISO, DMY";
                }
                case "MDY", "US", "NONEURO", "NONEUROPEAN" -> {
                    return "ISO, MDY";
                }
                case "YMD" -> {
                    return "ISO, YMD";
                }
                default -> {
                }
            }
        }
        return "ISO";
    }
}
