package io.exodus.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@link DeterministicValuesWorkload} run did.
 *
 * @param statements    INSERT statements that succeeded
 * @param rows          rows those statements inserted, as the server reported them
 * @param failed        INSERT statements that failed
 * @param firstFailures the first few of their errors
 * @param elapsed       how long the whole run took
 */
public record InsertRun(int statements, long rows, int failed, List<Exception> firstFailures, Duration elapsed) {

    public InsertRun {
        firstFailures = List.copyOf(firstFailures);
    }

    /** Throws an {@link AssertionError} naming the first failures if any statement failed. */
    public InsertRun requireNoFailures() {
        if (failed > 0) {
            throw new AssertionError(this);
        }
        return this;
    }

    @Override
    public String toString() {
        String summary = "InsertRun[" + statements + " statements, " + rows + " rows, " + failed + " failed, in "
                + elapsed.toMillis() + " ms]";
        if (firstFailures.isEmpty()) {
            return summary;
        }
        return summary + firstFailures.stream().map(failure -> "\n  " + Failures.describe(failure))
                .collect(Collectors.joining("", "; first failures:", ""));
    }
}
