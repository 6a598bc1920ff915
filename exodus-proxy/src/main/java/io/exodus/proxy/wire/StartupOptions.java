package io.exodus.proxy.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings in a start-up packet's {@code options} ({@code -c search_path=app -c TimeZone=UTC}, or
 * {@code --search_path=app}), split as the server splits them ({@code pg_split_opts}: blanks separate, a backslash
 * keeps the next character). Other switches are not settings of the statements and are left out.
 */
public final class StartupOptions {
    private StartupOptions() {
    }

    public static Map<String, String> settings(String options) {
        List<String> words = words(options);
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String assignment = null;
            if (word.equals("-c") && i + 1 < words.size()) {
                assignment = words.get(++i);
            } else if (word.startsWith("-c") && word.length() > 2) {
                assignment = word.substring(2);
            } else if (word.startsWith("--") && word.length() > 2) {
                assignment = word.substring(2);
            }
            int equals = assignment == null ? -1 : assignment.indexOf('=');
            if (equals > 0) {
                // The server reads dashes in a name as underscores here.
                String name = assignment.substring(0, equals).replace('-', '_').toLowerCase(Locale.ROOT);
                settings.put(name, assignment.substring(equals + 1));
            }
        }
        return settings;
    }

    private static List<String> words(String options) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '\\' && i + 1 < options.length()) {
                word.append(options.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }
}
