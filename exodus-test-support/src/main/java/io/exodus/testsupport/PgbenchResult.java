package io.exodus.testsupport;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A finished pgbench run and the figures of its summary, where pgbench printed them.
 *
 * @param tps transactions per second "without initial connection time"
 * @param processedTransactions the "actually processed" count
 * @param failedTransactions the "failed transactions" count (printed by pgbench 15 and later)
 */
public record PgbenchResult(int exitCode, String stdout, String stderr, OptionalDouble tps,
        OptionalLong processedTransactions, OptionalLong failedTransactions) {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    static PgbenchResult from(CommandResult result) {
        String summary = result.stdout();
        return new PgbenchResult(result.exitCode(), result.stdout(), result.stderr(),
                find(TPS, summary).map(Double::parseDouble).map(OptionalDouble::of).orElse(OptionalDouble.empty()),
                count(PROCESSED, summary), count(FAILED, summary));
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this result, or throws an AssertionError with pgbench's output so that a failing test says why. */
    public PgbenchResult requireSuccess() {
        if (!succeeded()) {
            throw new AssertionError("pgbench exited with " + exitCode + "\nstderr:\n" + stderr
                    + "\nstdout:\n" + stdout);
        }
        return this;
    }

    private static OptionalLong count(Pattern pattern, String text) {
        return find(pattern, text).map(Long::parseLong).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    private static Optional<String> find(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
