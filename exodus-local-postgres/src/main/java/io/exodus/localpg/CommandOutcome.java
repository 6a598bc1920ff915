package io.exodus.localpg;

/** What a finished external command left behind: its exit code and its combined stdout and stderr. */
record CommandOutcome(int exitCode, String output) {

    boolean succeeded() {
        return exitCode == 0;
    }
}
