package io.exodus.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@link BankWorkload} run did. Every transfer ends as exactly one of committed, rolled back on purpose, or
 * failed; a failed transfer whose connection broke during COMMIT may still have committed on the server, which is
 * why a test checks the bank's total rather than replaying the counts.
 *
 * @param committed     transfers committed, the single-statement autocommit ones included
 * @param rolledBack    transfers the workload rolled back on purpose after updating both accounts
 * @param failed        transfers given up after an error (or after too many deadlocks and serialization failures)
 * @param retries       attempts repeated after a deadlock or serialization failure
 * @param firstFailures the first few errors of the failed transfers
 * @param elapsed       how long the whole run took
 */
public record BankRun(int committed, int rolledBack, int failed, int retries, List<Exception> firstFailures,
        Duration elapsed) {

    public BankRun {
        firstFailures = List.copyOf(firstFailures);
    }

    public int transfers() {
        return committed + rolledBack + failed;
    }

    /** Throws an {@link AssertionError} naming the first failures if any transfer failed. */
    public BankRun requireNoFailures() {
        if (failed > 0) {
            throw new AssertionError(this);
        }
        return this;
    }

    @Override
    public String toString() {
        String summary = "BankRun[" + committed + " committed, " + rolledBack + " rolled back, " + failed
                + " failed, " + retries + " retries, in " + elapsed.toMillis() + " ms]";
        if (firstFailures.isEmpty()) {
            return summary;
        }
        return summary + firstFailures.stream().map(failure -> "\n  " + Failures.describe(failure))
                .collect(Collectors.joining("", "; first failures:", ""));
    }
}
