package io.exodus.proxy.verify;

import io.restassured.path.json.JsonPath;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The verification endpoints as the tests use them, with {@link VerificationProfile#TOKEN} unless told another. */
public final class VerificationApi {
    static final String BEARER = "Bearer " + VerificationProfile.TOKEN;

    private VerificationApi() {
    }

    /** Starts a verification, waits until it is no longer running, and answers with its report. */
    static JsonPath verify(String body) throws InterruptedException {
        return verify(body, started -> { });
    }

    /** @param started is given the report the verification started with */
    static JsonPath verify(String body, java.util.function.Consumer<JsonPath> started)
            throws InterruptedException {
        return verify(BEARER, body, started);
    }

    /** The same with another proxy's admin token. */
    public static JsonPath verifyWith(String token, String body) throws InterruptedException {
        return verify("Bearer " + token, body, started -> { });
    }

    private static JsonPath verify(String bearer, String body, java.util.function.Consumer<JsonPath> started)
            throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            var response = given().header("Authorization", bearer).body(body).post("/exodus/migration/verify");
            if (response.statusCode() == 202) {
                started.accept(response.jsonPath());
                break;
            }
            // Another test's verification still runs.
            assertEquals(409, response.statusCode(), response.asString());
            if (System.nanoTime() > deadline) {
                fail("could not start a verification: " + response.asString());
            }
            Thread.sleep(200);
        }
        while (System.nanoTime() < deadline) {
            JsonPath report = given().header("Authorization", bearer).get("/exodus/migration/verification").then()
                    .statusCode(200).extract().jsonPath();
            if (!"running".equals(report.getString("state"))) {
                return report;
            }
            Thread.sleep(200);
        }
        fail("the verification did not finish within 120 s");
        return null;
    }
}
