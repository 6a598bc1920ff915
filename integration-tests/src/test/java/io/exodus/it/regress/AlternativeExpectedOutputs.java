package io.exodus.it.regress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a suite of one minor release and a server of another legitimately answer differently (a bug fixed in the
 * server's release changes what a test prints), an alternative expected output, which pg_regress accepts as it
 * accepts PostgreSQL's own {@code expected/<test>_1.out}: the suite's expected output with the server's answer in
 * place of the old one.
 *
 * <p>The edits live in {@code regression-suite/alternative-expected/<suite release>-on-<server version>.txt}: a line
 * {@code test NAME -- why}, then the lines to replace, each after {@code "- "}, then their replacement, each after
 * {@code "+ "} (trailing blanks count: psql pads table headers).
 */
final class AlternativeExpectedOutputs {

    private static final String RESOURCE_FOLDER = "/regression-suite/alternative-expected/";
    private static final int MOST_ALTERNATIVES = 9;

    private final String source;
    private final List<Edit> edits;

    private AlternativeExpectedOutputs(String source, List<Edit> edits) {
        this.source = source;
        this.edits = edits;
    }

    /** The edits for this suite release on this server version; none when the two are the same release. */
    static AlternativeExpectedOutputs forRun(String suiteRelease, String serverVersion) {
        String name = RESOURCE_FOLDER + suiteRelease + "-on-" + serverVersion + ".txt";
        try (InputStream resource = AlternativeExpectedOutputs.class.getResourceAsStream(name)) {
            if (resource == null) {
                return new AlternativeExpectedOutputs(name, List.of());
            }
            return new AlternativeExpectedOutputs(name, parse(new String(resource.readAllBytes(),
                    StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + name, e);
        }
    }

    /** Writes {@code <test>_<n>.out} beside {@code <test>.out} for each edit, n the first number not yet taken. */
    void writeInto(Path expectedDirectory) throws IOException {
        for (Edit edit : edits) {
            String expected = Files.readString(expectedDirectory.resolve(edit.test() + ".out"));
            String old = String.join("\n", edit.oldLines()) + "\n";
            int at = expected.indexOf(old);
            if (at < 0 || expected.indexOf(old, at + 1) >= 0) {
                throw new IllegalStateException(source + ": the expected output of " + edit.test() + " must contain"
                        + " the lines to replace exactly once:\n" + old);
            }
            String alternative = expected.replace(old, String.join("\n", edit.newLines()) + "\n");
            Files.writeString(freeAlternative(expectedDirectory, edit.test()), alternative);
        }
    }

    private static Path freeAlternative(Path expectedDirectory, String test) {
        for (int n = 1; n <= MOST_ALTERNATIVES; n++) {
            Path candidate = expectedDirectory.resolve(test + "_" + n + ".out");
            if (!Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(test + " already has " + MOST_ALTERNATIVES + " alternative outputs");
    }

    private static List<Edit> parse(String text) {
        List<Edit> edits = new ArrayList<>();
        Edit current = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("test ")) {
                current = new Edit(line.substring("test ".length()).split(" -- ", 2)[0].strip(), new ArrayList<>(),
                        new ArrayList<>());
                edits.add(current);
            } else if (current != null && line.startsWith("- ")) {
                current.oldLines().add(line.substring(2));
            } else if (current != null && line.startsWith("+ ")) {
                current.newLines().add(line.substring(2));
            }
        }
        return edits;
    }

    private record Edit(String test, List<String> oldLines, List<String> newLines) {
    }
}
