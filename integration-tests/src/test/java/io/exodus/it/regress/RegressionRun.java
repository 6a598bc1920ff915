package io.exodus.it.regress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one pg_regress run reported: each test's outcome, in schedule order, and where each failure's diff is.
 *
 * @param label   "direct", "phase direct", "dual-write"
 * @param passed  tests reported "ok"
 * @param failed  tests reported "FAILED" (an ignored failure counts as failed too: nothing is ignored here)
 * @param took    the run's wall-clock time
 * @param folder  pg_regress's output folder: regression.out, regression.diffs, results/, diffs/
 */
record RegressionRun(String label, List<String> passed, List<String> failed, Duration took, Path folder) {

    // "test tablespace   ... ok   170 ms", "     boolean   ... FAILED   48 ms", "     x ... failed (ignored)"
    private static final Pattern OUTCOME = Pattern.compile("^(?:test | {5})\\s*(\\S+)\\s+\\.\\.\\. (ok|FAILED|failed)\\b");
    // regression.diffs has one "diff -U3 <expected> <results>/<test>.out" section per failed test.
    private static final Pattern DIFF_HEADER = Pattern.compile("^diff .*/results/([^/\\s]+)\\.out$");
    private static final String DIFFS_FOLDER = "diffs";

    RegressionRun {
        passed = List.copyOf(passed);
        failed = List.copyOf(failed);
    }

    /** Reads pg_regress's output and splits regression.diffs into one file per failed test under diffs/. */
    static RegressionRun read(String label, Path folder, Path log, Duration took) throws IOException {
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            Matcher outcome = OUTCOME.matcher(line);
            if (outcome.find()) {
                (outcome.group(2).equals("ok") ? passed : failed).add(outcome.group(1));
            }
        }
        if (passed.isEmpty() && failed.isEmpty()) {
            throw new IllegalStateException("pg_regress (" + label + ") ran no test:\n"
                    + Files.readString(log, StandardCharsets.ISO_8859_1));
        }
        splitDiffs(folder);
        return new RegressionRun(label, passed, failed, took, folder);
    }

    int total() {
        return passed.size() + failed.size();
    }

    /** The failed test's own part of regression.diffs. */
    Path diffOf(String test) {
        return folder.resolve(DIFFS_FOLDER).resolve(test + ".diff");
    }

    String summary() {
        return String.format("%-13s %3d of %d passed, %3d failed, in %d s", label + ":", passed.size(), total(),
                failed.size(), took.toSeconds());
    }

    /** Byte for byte: results hold what the tests printed, not all of it UTF-8. */
    private static void splitDiffs(Path folder) {
        Path diffs = folder.resolve("regression.diffs");
        if (!Files.exists(diffs)) {
            return;
        }
        try {
            Map<String, StringBuilder> byTest = new LinkedHashMap<>();
            StringBuilder current = null;
            for (String line : Files.readAllLines(diffs, StandardCharsets.ISO_8859_1)) {
                Matcher header = DIFF_HEADER.matcher(line);
                if (header.matches()) {
                    current = byTest.computeIfAbsent(header.group(1), test -> new StringBuilder());
                }
                if (current != null) {
                    current.append(line).append('\n');
                }
            }
            Files.createDirectories(folder.resolve(DIFFS_FOLDER));
            for (Map.Entry<String, StringBuilder> test : byTest.entrySet()) {
                Files.writeString(folder.resolve(DIFFS_FOLDER).resolve(test.getKey() + ".diff"), test.getValue(),
                        StandardCharsets.ISO_8859_1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not split " + diffs, e);
        }
    }
}
