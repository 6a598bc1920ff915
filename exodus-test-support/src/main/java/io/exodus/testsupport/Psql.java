package io.exodus.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the real psql against a {@link ConnectionTarget}, unaffected by ~/.psqlrc, stopping at the first error, with
 * unaligned tuples-only output ({@code -X -v ON_ERROR_STOP=1 -At}).
 */
public final class Psql {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final ConnectionTarget target;
    private final Duration timeout;

    private Psql(ConnectionTarget target, Duration timeout) {
        this.target = Objects.requireNonNull(target);
        this.timeout = Objects.requireNonNull(timeout);
    }

    public static Psql against(ConnectionTarget target) {
        return new Psql(target, DEFAULT_TIMEOUT);
    }

    public Psql withTimeout(Duration newTimeout) {
        return new Psql(target, newTimeout);
    }

    /** Runs one command string ({@code -c}); several statements separated by ';' run in one transaction. */
    public CommandResult command(String sql) {
        return run(List.of("-c", sql), null);
    }

    /** Feeds a script on stdin, as {@code psql < script.sql} would: statement by statement, meta-commands allowed. */
    public CommandResult script(String script) {
        return run(List.of(), script);
    }

    /** The trimmed output of a command that must succeed, such as {@code query("select count(*) from t")}. */
    public String query(String sql) {
        return command(sql).requireSuccess().stdout().strip();
    }

    /** psql with the standard options plus these arguments, and stdin (or null). */
    public CommandResult run(List<String> extraArguments, String stdin) {
        List<String> arguments = new ArrayList<>(List.of("-X", "-v", "ON_ERROR_STOP=1", "-At"));
        arguments.addAll(extraArguments);
        Map<String, String> environment = target.libpqEnvironment();
        return ClientProgram.run(ClientBinaries.locate("psql"), arguments, environment, stdin, timeout);
    }
}
