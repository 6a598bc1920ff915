package io.exodus.analyzer.capture;

/** A batch the analyzer will not store, with the HTTP status and a message that says what is wrong with it. */
public final class CaptureRejected extends RuntimeException {
    /** The batch is not what docs/analyzer.md describes. */
    public static final int MALFORMED = 400;
    /** The batch is larger than exodus.analyzer.capture.max-batch-bytes or -events. */
    public static final int TOO_LARGE = 413;

    private final int status;

    CaptureRejected(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
