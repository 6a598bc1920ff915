package io.exodus.proxy.migration;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a move of the primary does with the transactions still open when its wait for them runs out
 * ({@code exodus.migration.cutover.long-transactions}, or {@code "longTransactions"} in the request).
 */
public enum LongTransactions {
    /** The move is called off: traffic resumes on the old primary, nothing changed. */
    ABORT("abort"),
    /**
     * Each is ended and the move goes on: a session with no request in flight is closed at once (FATAL 57P01), which
     * rolls its transaction back on both databases; one whose request is still running is closed once it has been
     * answered, if its transaction is still open then. A running statement is never cancelled: it may be the
     * transaction's COMMIT, which a cancel could leave done on one database only. If a session has not answered
     * within another such wait, the move is called off.
     */
    CANCEL("cancel"),
    /** The pause lasts as long as they do: new transactions wait meanwhile, on every replica. */
    WAIT("wait");

    private final String configName;

    LongTransactions(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * How many waits of the cutover timeout a pause lasts at most before the move is called off; 0: no bound. With
     * {@link #CANCEL} the transactions are ended after the first, and their requests in flight have the second.
     */
    public int waits() {
        return switch (this) {
            case ABORT -> 1;
            case CANCEL -> 2;
            case WAIT -> 0;
        };
    }

    public static LongTransactions fromConfig(String value) {
        for (LongTransactions choice : values()) {
            if (choice.configName.equals(value)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not a choice for long transactions "
                + "(exodus.migration.cutover.long-transactions, or \"longTransactions\" in the request): choose one of "
                + Arrays.stream(values()).map(LongTransactions::configName).collect(Collectors.joining(", ")));
    }
}
