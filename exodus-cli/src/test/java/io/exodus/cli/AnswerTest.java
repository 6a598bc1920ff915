package io.exodus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each answer of the admin API means for a script: the exit code, and a message that says what to do. */
class AnswerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachRefusalHasItsOwnExitCode() {
        assertEquals(ExitCode.USAGE, failure(400, "{\"error\":\"give {\\\"percent\\\": <0 to 100>}\"}").exitCode());
        assertEquals(ExitCode.UNAUTHORIZED, failure(401, "{\"error\":\"a valid bearer token is required\"}")
                .exitCode());
        assertEquals(ExitCode.UNAUTHORIZED, failure(403, "{\"error\":\"changes are disabled\"}").exitCode());
        assertEquals(ExitCode.REFUSED, failure(409, "{\"error\":\"canary reads need phase canary\"}").exitCode());
        assertEquals(ExitCode.REFUSED, failure(503, "{\"error\":\"nothing was changed, try again\"}").exitCode());
        assertEquals(ExitCode.UNEXPECTED, failure(500, "").exitCode());
    }

    @Test
    void aBare404IsAnEndpointThisProxyDoesNotHave() {
        CliFailure failure = failure(404, "");
        assertEquals(ExitCode.UNSUPPORTED, failure.exitCode());
        assertTrue(failure.getMessage().startsWith("this proxy does not support cutover (HTTP 404)"),
                failure.getMessage());
        assertEquals(ExitCode.UNSUPPORTED, failure(405, "").exitCode());
    }

    @Test
    void aNotFoundThatExplainsItselfIsShownAsTheProxySaysIt() {
        CliFailure failure = failure(404, "{\"error\":\"no verification has run on this proxy yet\"}");
        assertEquals(ExitCode.REFUSED, failure.exitCode());
        assertTrue(failure.getMessage().contains("no verification has run on this proxy yet"), failure.getMessage());
    }

    @Test
    void theMessageCarriesTheProxysReasonAndTheStatus() {
        CliFailure failure = failure(409, "{\"error\":\"canary reads need phase canary\"}");
        assertEquals("cutover refused (HTTP 409): canary reads need phase canary", failure.getMessage());
        assertEquals(409, failure.httpStatus());
    }

    @Test
    void aSuccessWithoutJsonIsUnexpected() {
        Answer answer = new Answer(200, null, "<html>");
        CliFailure failure = assertThrows(CliFailure.class, () -> answer.bodyOrFail("status"));
        assertEquals(ExitCode.UNEXPECTED, failure.exitCode());
    }

    private static CliFailure failure(int status, String body) {
        try {
            return new Answer(status, body.isEmpty() ? null : JSON.readTree(body), body).failure("cutover");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
