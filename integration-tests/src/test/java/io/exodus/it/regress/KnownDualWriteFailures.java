package io.exodus.it.regress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.exodus.testsupport.DatabaseDifference;

/**
 * The ratchet: the checked-in list of regression tests known to fail through dual-write today and of the differences
 * known to remain between source and target afterwards, each with its cause. A run holds to it when nothing fails or
 * differs that is not listed, and everything listed still does (else its line must go), so the list only shrinks as
 * dual-write gets fixed. An entry whose cause ends in "(unstable)" may go either way from run to run.
 */
final class KnownDualWriteFailures {

    private static final String SOURCES = "integration-tests/src/test/resources";
    /** The list for each consistency policy the suite runs under. */
    private static final Map<String, String> RESOURCES = Map.of(
            "both-required", "/regression-suite/known-dual-write-failures.txt",
            "two-phase-commit", "/regression-suite/known-two-phase-commit-failures.txt");
    static final String TEST = "test";
    /** The key of an error the catch-up queue parked entries with: "parked ERROR". */
    static final String PARKED = "parked";
    private static final String CAUSE_SEPARATOR = " -- ";
    private static final String UNSTABLE = "(unstable)";

    /** Entry key ("test copy", "table public.t", "schema TABLE public.t") to its cause. */
    private final Map<String, String> causes;
    /** Where the list lives in the source tree, for the report. */
    private final String sourcePath;

    private KnownDualWriteFailures(Map<String, String> causes, String sourcePath) {
        this.causes = causes;
        this.sourcePath = sourcePath;
    }

    /** The list for this consistency policy. */
    static KnownDualWriteFailures load(String policy) {
        String name = RESOURCES.get(policy);
        if (name == null) {
            throw new IllegalArgumentException("No list of known failures for policy " + policy + "; there are lists "
                    + "for " + RESOURCES.keySet());
        }
        try (InputStream resource = KnownDualWriteFailures.class.getResourceAsStream(name)) {
            if (resource == null) {
                throw new IllegalStateException("No " + name + " on the test class path");
            }
            return parse(new String(resource.readAllBytes(), StandardCharsets.UTF_8), SOURCES + name);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + name, e);
        }
    }

    static KnownDualWriteFailures parse(String text) {
        return parse(text, "(a list)");
    }

    String sourcePath() {
        return sourcePath;
    }

    /** Lines "KEY -- cause"; blank lines and lines starting with '#' are comments. */
    static KnownDualWriteFailures parse(String text, String sourcePath) {
        Map<String, String> causes = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(CAUSE_SEPARATOR, 2);
            if (parts.length != 2 || parts[1].isBlank()) {
                throw new IllegalStateException(sourcePath + ": \"" + line + "\" lacks \" -- cause\"");
            }
            if (causes.put(parts[0].strip(), parts[1].strip()) != null) {
                throw new IllegalStateException(sourcePath + ": " + parts[0].strip() + " is listed twice");
            }
        }
        return new KnownDualWriteFailures(causes, sourcePath);
    }

    /**
     * Judges a dual-write run and the differences left after its catch-up queue settled.
     *
     * @param failedTests the tests that failed through dual-write
     */
    Verdict judge(Collection<String> failedTests, List<DatabaseDifference> differences) {
        return judge(failedTests, differences, List.of());
    }

    /**
     * @param parkedErrors the errors of the entries the catch-up queue parked, names and numbers folded
     *                     ({@link CatchUpQueue}): each must be listed as "parked ERROR"
     */
    Verdict judge(Collection<String> failedTests, List<DatabaseDifference> differences,
            Collection<String> parkedErrors) {
        Set<String> seen = new TreeSet<>();
        failedTests.forEach(test -> seen.add(TEST + " " + test));
        differences.forEach(difference -> seen.add(difference.key()));
        parkedErrors.forEach(error -> seen.add(PARKED + " " + error));
        List<String> newParked = parkedErrors.stream().filter(error -> !causes.containsKey(PARKED + " " + error))
                .collect(Collectors.toList());
        List<String> newFailures = failedTests.stream().filter(test -> !causes.containsKey(TEST + " " + test))
                .collect(Collectors.toList());
        List<DatabaseDifference> newDifferences = differences.stream()
                .filter(difference -> !causes.containsKey(difference.key())).collect(Collectors.toList());
        List<String> gone = causes.entrySet().stream()
                .filter(entry -> !seen.contains(entry.getKey()) && !entry.getValue().endsWith(UNSTABLE))
                .map(Map.Entry::getKey).collect(Collectors.toList());
        return new Verdict(newFailures, newDifferences, newParked, gone);
    }

    /** The list this run would need: every failure and difference seen, with its known cause or "?". */
    String observedList(Collection<String> failedTests, List<DatabaseDifference> differences,
            Collection<String> parkedErrors) {
        List<String> lines = new ArrayList<>();
        failedTests.forEach(test -> lines.add(line(TEST + " " + test)));
        differences.forEach(difference -> lines.add(line(difference.key())));
        parkedErrors.forEach(error -> lines.add(line(PARKED + " " + error)));
        return String.join("\n", lines) + "\n";
    }

    private String line(String key) {
        return key + CAUSE_SEPARATOR + causes.getOrDefault(key, "?");
    }

    /**
     * @param newFailures    tests failing through dual-write that the list does not name
     * @param newDifferences differences the list does not name
     * @param newParked      errors of parked queue entries the list does not name
     * @param gone           listed entries that no longer fail or differ: their lines must go
     */
    record Verdict(List<String> newFailures, List<DatabaseDifference> newDifferences, List<String> newParked,
            List<String> gone) {
        boolean holds() {
            return newFailures.isEmpty() && newDifferences.isEmpty() && newParked.isEmpty() && gone.isEmpty();
        }
    }
}
