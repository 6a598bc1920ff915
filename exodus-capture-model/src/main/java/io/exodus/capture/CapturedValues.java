package io.exodus.capture;

/**
 * How much of a bound value the proxy ships ({@link StatementEvent#parameters()}): a text value up to
 * {@link #MAX_TEXT_CHARS} characters, a binary one up to {@link #MAX_BINARY_BYTES} bytes (written in hex, twice as
 * many characters). A value that long may have been cut, so shadow replay does not run it as if it were whole.
 */
public final class CapturedValues {
    public static final int MAX_TEXT_CHARS = 1024;
    public static final int MAX_BINARY_BYTES = MAX_TEXT_CHARS / 2;
    /** The format codes of the protocol's Bind message. */
    public static final int TEXT = 0;
    public static final int BINARY = 1;

    private CapturedValues() {
    }

    /** Whether a shipped value may have been cut: as long as the proxy keeps. */
    public static boolean mayBeCut(String value, int format) {
        return value != null && (format == BINARY ? (value.length() - 2) / 2 >= MAX_BINARY_BYTES
                : value.length() >= MAX_TEXT_CHARS);
    }
}
