package io.exodus.it.regress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import io.exodus.it.regress.CatchUpQueue.Settled;
import io.exodus.it.regress.KnownDualWriteFailures.Verdict;
import io.exodus.testsupport.DatabaseDifference;

/**
 * The text a person reads after a run of the regression suite through Exodus: counts and times per run, then what
 * needs attention, each failure with the path of its diff. Printed, and appended to report.txt beside the runs.
 */
final class RegressionReport {

    private static final int DIFF_EXCERPT_LINES = 80;

    private final StringBuilder text = new StringBuilder();

    /** A run whose every test must pass (directly, or through phase direct): its counts and each failure's diff. */
    static RegressionReport ofRun(RegressionRun run, String versions) {
        RegressionReport report = headed(run, versions);
        for (String test : run.failed()) {
            report.line("  FAILED " + test + ": " + run.diffOf(test));
            report.excerptOf(run.diffOf(test));
        }
        return report;
    }

    /** The dual-write run held to the known list: new failures, new differences, and lines to remove. */
    static RegressionReport ofDualWrite(RegressionRun run, String versions, Settled queue,
            List<DatabaseDifference> differences, Duration comparisonTook, Verdict verdict, String knownList,
            Path observedList) {
        // Through dual-write the known failures are many: only the new ones are listed, with their diffs.
        RegressionReport report = headed(run, versions);
        report.line(String.format("  catch-up queue settled %d s after the suite: %d entries parked", queue.took()
                .toSeconds(), queue.parked()));
        queue.parkedByError().forEach((error, count) -> report.line(String.format("    %6d parked: %s", count,
                error)));
        report.line(String.format("  source vs target (regression database, roles, databases): %d differences,"
                + " compared in %d s", differences.size(), comparisonTook.toSeconds()));
        if (verdict.holds()) {
            report.line("  as known: every failure and difference is listed in " + knownList);
            return report;
        }
        if (!verdict.newFailures().isEmpty()) {
            report.line("  NEW FAILURES through dual-write (not in " + knownList + "):");
            verdict.newFailures().forEach(test -> {
                report.line("    " + test + ": " + run.diffOf(test));
                report.excerptOf(run.diffOf(test));
            });
        }
        if (!verdict.newDifferences().isEmpty()) {
            report.line("  NEW DIFFERENCES between source and target:");
            verdict.newDifferences().forEach(difference -> report.line("    " + difference));
        }
        if (!verdict.newParked().isEmpty()) {
            report.line("  NEW PARKED ENTRIES: the catch-up queue could not apply transactions with these errors:");
            verdict.newParked().forEach(error -> report.line("    parked " + error));
        }
        if (!verdict.gone().isEmpty()) {
            report.line("  FIXED: these no longer fail or differ; remove them from "
                    + knownList + ":");
            verdict.gone().forEach(key -> report.line("    " + key));
        }
        report.line("  every failure and difference of this run, with the known causes: " + observedList);
        return report;
    }

    /** Prints the report and appends it to {@code file}; returns its text. */
    String publish(Path file) {
        String published = text.toString();
        System.out.print(published);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, published, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
        return published;
    }

    private static RegressionReport headed(RegressionRun run, String versions) {
        RegressionReport report = new RegressionReport();
        report.line("Regression suite " + versions + ", " + run.summary());
        return report;
    }

    /**
     * The first lines of a failure's diff, in the report itself: a CI run's clone, where the diff file lives, is gone
     * by the time someone reads its log, and an intermittent failure may not come back on demand.
     */
    private void excerptOf(Path diff) {
        List<String> lines;
        try {
            // Latin-1 reads any byte: the diff quotes what the tests printed, not all of it UTF-8.
            lines = Files.readAllLines(diff, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            line("      (no diff to show: " + e.getMessage() + ")");
            return;
        }
        lines.stream().limit(DIFF_EXCERPT_LINES).forEach(diffLine -> line("      | " + diffLine));
        if (lines.size() > DIFF_EXCERPT_LINES) {
            line("      | ... " + (lines.size() - DIFF_EXCERPT_LINES) + " more lines in " + diff);
        }
    }

    private void line(String line) {
        text.append(line).append('\n');
    }
}
