package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One answer of the admin API.
 *
 * @param body the JSON body, or null when it was empty or not JSON
 * @param text the body as received, for the messages about answers that are not JSON
 */
record Answer(int status, JsonNode body, String text) {

    boolean succeeded() {
        return status >= 200 && status < 300;
    }

    /** The admin API's own message ({@code {"error": "…"}}), or null when the body carries none. */
    String error() {
        return body != null && body.path("error").isTextual() ? body.get("error").asText() : null;
    }

    /** The body of a successful answer; otherwise the failure that says what went wrong for this command. */
    JsonNode bodyOrFail(String command) {
        if (!succeeded()) {
            throw failure(command);
        }
        if (body == null) {
            throw new CliFailure(ExitCode.UNEXPECTED, status, command + ": the proxy answered HTTP " + status
                    + " without JSON: " + abbreviated(text));
        }
        return body;
    }

    /** What an unsuccessful answer means for the user, with the exit code a script can act on. */
    CliFailure failure(String command) {
        String error = error();
        String said = error == null ? "" : ": " + error;
        return switch (status) {
            case 400 -> new CliFailure(ExitCode.USAGE, status, command + " rejected (HTTP 400)" + said);
            case 401 -> new CliFailure(ExitCode.UNAUTHORIZED, status, command + " unauthorized (HTTP 401)" + said
                    + "; give the proxy's exodus.admin.token with --token or EXODUS_ADMIN_TOKEN");
            case 403 -> new CliFailure(ExitCode.UNAUTHORIZED, status, command + " forbidden (HTTP 403)" + said);
            // The admin API's own 404s explain themselves in JSON; a bare one is a path this proxy does not have.
            case 404 -> error != null ? new CliFailure(ExitCode.REFUSED, status, command + " (HTTP 404)" + said)
                    : unsupported(command);
            case 405 -> unsupported(command);
            case 409, 502, 503 -> new CliFailure(ExitCode.REFUSED, status, command + " refused (HTTP " + status + ")"
                    + said);
            default -> new CliFailure(ExitCode.UNEXPECTED, status, command + " failed (HTTP " + status + ")"
                    + (error != null ? said : ": " + abbreviated(text)));
        };
    }

    private CliFailure unsupported(String command) {
        return new CliFailure(ExitCode.UNSUPPORTED, status, "this proxy does not support " + command + " (HTTP "
                + status + "): it is an older version, or --url does not point at the proxy's HTTP port");
    }

    private static String abbreviated(String text) {
        if (text == null || text.isBlank()) {
            return "(empty body)";
        }
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }
}
