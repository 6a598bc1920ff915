package io.exodus.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Runs the real pgbench against a {@link ConnectionTarget}. */
public final class Pgbench {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    // A timed run also connects, vacuums and disconnects around its measured seconds.
    private static final Duration TIMED_RUN_SLACK = Duration.ofMinutes(2);

    private final ConnectionTarget target;
    private final Duration timeout;

    private Pgbench(ConnectionTarget target, Duration timeout) {
        this.target = Objects.requireNonNull(target);
        this.timeout = Objects.requireNonNull(timeout);
    }

    public static Pgbench against(ConnectionTarget target) {
        return new Pgbench(target, DEFAULT_TIMEOUT);
    }

    /** Applies to initialization and to runs counted in transactions; timed runs get their length plus slack. */
    public Pgbench withTimeout(Duration newTimeout) {
        return new Pgbench(target, newTimeout);
    }

    /** Creates and fills the pgbench tables ({@code -i -s scale -q}); scale 1 is 100,000 accounts. */
    public PgbenchResult initialize(int scale) {
        return run(List.of("-i", "-s", String.valueOf(scale), "-q"), timeout);
    }

    /** Each of the clients runs this many transactions ({@code -t}). */
    public PgbenchResult run(QueryMode mode, int clients, int jobs, int transactionsPerClient, BuiltinScript script) {
        return run(workload(mode, clients, jobs, script, "-t", String.valueOf(transactionsPerClient)), timeout);
    }

    /** The clients run transactions for this long ({@code -T}, whole seconds). */
    public PgbenchResult run(QueryMode mode, int clients, int jobs, Duration duration, BuiltinScript script) {
        long seconds = Math.max(1, duration.toSeconds());
        return run(workload(mode, clients, jobs, script, "-T", String.valueOf(seconds)),
                Duration.ofSeconds(seconds).plus(TIMED_RUN_SLACK));
    }

    /** pgbench with exactly these arguments, for anything the methods above do not cover. */
    public PgbenchResult run(List<String> arguments) {
        return run(arguments, timeout);
    }

    private static List<String> workload(QueryMode mode, int clients, int jobs, BuiltinScript script,
            String lengthOption, String length) {
        List<String> arguments = new ArrayList<>(List.of("-M", mode.pgbenchName(), "-c", String.valueOf(clients),
                "-j", String.valueOf(jobs), "-b", script.pgbenchName()));
        arguments.add(lengthOption);
        arguments.add(length);
        return arguments;
    }

    private PgbenchResult run(List<String> arguments, Duration runTimeout) {
        return PgbenchResult.from(ClientProgram.run(ClientBinaries.locate("pgbench"), arguments,
                target.libpqEnvironment(), null, runTimeout));
    }
}
