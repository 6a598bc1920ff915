package io.exodus.cli;

/** Why a command stops, and with which exit code; the message is what the user reads. */
final class CliFailure extends RuntimeException {
    private final ExitCode exitCode;
    /** The proxy's HTTP status, or 0 when it did not answer. */
    private final int httpStatus;

    CliFailure(ExitCode exitCode, int httpStatus, String message) {
        super(message);
        this.exitCode = exitCode;
        this.httpStatus = httpStatus;
    }

    CliFailure(ExitCode exitCode, String message) {
        this(exitCode, 0, message);
    }

    ExitCode exitCode() {
        return exitCode;
    }

    int httpStatus() {
        return httpStatus;
    }
}
