package io.exodus.testsupport;

/** What a finished client program (psql, pgbench) printed, and how it exited. */
public record CommandResult(int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this result, or throws an AssertionError carrying stderr so that a failing test says why. */
    public CommandResult requireSuccess() {
        if (!succeeded()) {
            throw new AssertionError("Exit code " + exitCode + "\nstderr:\n" + stderr + "\nstdout:\n" + stdout);
        }
        return this;
    }
}
