package io.exodus.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pg_dump --schema-only} of one database, cut into its entries (one per object, as pg_dump's table of contents
 * has them), so that two dumps compare object by object and a difference has a name.
 *
 * <p>Each entry starts with pg_dump's header comment, {@code -- Name: t; Type: TABLE; Schema: public; Owner: o}, and
 * is keyed by type, schema and name; its owner stays in its text ({@code ALTER TABLE … OWNER TO}). The lines a dump
 * carries that say nothing about the database (the random key of {@code \restrict}, blank lines) are left out.
 */
public final class SchemaDump {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern HEADER = Pattern.compile(
            "^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*?); Owner: .*$");
    private static final String PREAMBLE = "(preamble)";

    private final Map<String, String> entries;

    private SchemaDump(Map<String, String> entries) {
        this.entries = entries;
    }

    /**
     * Dumps the database with the pg_dump of the installed client tools.
     *
     * @param excludedSchemas schemas left out (pg_dump's {@code --exclude-schema}), such as Exodus' own
     */
    public static SchemaDump of(ConnectionTarget database, List<String> excludedSchemas) {
        List<String> arguments = new ArrayList<>(List.of("--schema-only", "--no-password"));
        for (String schema : excludedSchemas) {
            arguments.add("--exclude-schema=" + schema);
        }
        CommandResult result = ClientProgram.run(ClientBinaries.locate("pg_dump"), arguments,
                database.libpqEnvironment(), null, TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException("pg_dump of " + database + " failed (exit " + result.exitCode() + "):\n"
                    + result.stderr());
        }
        return parse(result.stdout());
    }

    /** Cuts a dump's text into entries; exposed for tests of the parsing. */
    static SchemaDump parse(String dump) {
        Map<String, String> entries = new LinkedHashMap<>();
        String key = PREAMBLE;
        StringBuilder text = new StringBuilder();
        for (String line : dump.split("\n", -1)) {
            Matcher header = HEADER.matcher(line);
            if (header.matches()) {
                put(entries, key, text);
                key = header.group(2) + " " + header.group(3) + "." + header.group(1);
                text = new StringBuilder();
            }
            if (!line.isBlank() && !line.equals("--") && !line.startsWith("\\restrict ")
                    && !line.startsWith("\\unrestrict ")) {
                text.append(line).append('\n');
            }
        }
        put(entries, key, text);
        return new SchemaDump(entries);
    }

    /** Entry key ("TABLE public.t", "FUNCTION public.f(integer)", "INDEX s.i") to its text, in dump order. */
    public Map<String, String> entries() {
        return entries;
    }

    /** Several entries can share a key (a COMMENT beside its object, say): later ones get " #2", " #3" … */
    private static void put(Map<String, String> entries, String key, StringBuilder text) {
        String unique = key;
        for (int n = 2; entries.containsKey(unique); n++) {
            unique = key + " #" + n;
        }
        entries.put(unique, text.toString());
    }
}
