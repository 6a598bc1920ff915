package io.exodus.cli;

/**
 * What {@code exodus} exits with, so that a script can tell a refusal it may retry later from a wrong token, a
 * proxy that is down, or a proxy too old for the command. Listed in {@code exodus --help} and docs/cli.md.
 */
public enum ExitCode {
    OK(0, "done"),
    STEP_FAILED(1, "the step ran and did not succeed: verification found differences or failed, the sync failed"),
    USAGE(2, "wrong command line, or the proxy rejected a value (HTTP 400)"),
    REFUSED(3, "the proxy refused the change in its current state, nothing changed (HTTP 409, 502, 503)"),
    UNAUTHORIZED(4, "no token, a wrong one (HTTP 401), or changes disabled on the proxy (HTTP 403)"),
    UNREACHABLE(5, "no answer from the proxy at --url (refused, unknown host, timed out)"),
    UNSUPPORTED(6, "this proxy does not have the command's endpoint (HTTP 404, 405): an older version"),
    UNEXPECTED(7, "an answer the command cannot use (HTTP 500, not JSON)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
