package io.exodus.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The progress line of a long step (sync, verify). On a terminal one line is redrawn in place; in a pipe or a log, a
 * line is printed when the text's state part changes, and at most every {@link #PLAIN_EVERY} while it does not, so a
 * CI log shows the step moving without a line per poll.
 */
final class Progress {
    static final Duration PLAIN_EVERY = Duration.ofSeconds(10);
    private static final String CLEAR_TO_END = "\033[K";

    private final PrintStream out;
    private final boolean terminal;
    private String lastState;
    private long lastPrinted;
    private boolean drawn;

    /** @param out null to show nothing (JSON mode) */
    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * @param state what changes seldom (a state name, a table count): a new one is always printed
     * @param text  the whole line
     */
    void show(String state, String text) {
        if (out == null) {
            return;
        }
        if (terminal) {
            out.print("\r" + text + CLEAR_TO_END);
            out.flush();
            drawn = true;
            return;
        }
        long now = System.nanoTime();
        if (!state.equals(lastState) || now - lastPrinted >= PLAIN_EVERY.toNanos()) {
            out.println(text);
            lastState = state;
            lastPrinted = now;
        }
    }

    /** Ends the redrawn line, so that what follows starts on a line of its own. */
    void end() {
        if (out != null && terminal && drawn) {
            out.println();
            drawn = false;
        }
    }
}
