package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.testsupport.FreePorts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** A source nobody listens on: every analysis endpoint answers 503 with JSON that names it; capture still works. */
@QuarkusTest
@TestProfile(UnreachableSourceTest.NobodyListening.class)
class UnreachableSourceTest {

    public static class NobodyListening implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.analyzer.source-url", "postgresql://app:secret@127.0.0.1:" + FreePorts.pick()
                    + "/shop?sslmode=disable", "exodus.analyzer.connect-timeout", "2s");
        }
    }

    @Test
    void everyAnalysisAnswers503WithTheSourceInTheMessage() {
        for (String path : new String[] {"/analyzer/profile", "/analyzer/checks", "/analyzer/recommendations",
                "/analyzer/report"}) {
            given().get(path).then().statusCode(503).contentType(ContentType.JSON)
                    .body("error", equalTo("profile-unavailable"))
                    .body("message", allOf(containsString("Could not read the source app@127.0.0.1:"),
                            containsString("/shop")));
        }
    }

    @Test
    void captureDoesNotNeedTheSource() {
        given().contentType(ContentType.JSON).body("{\"events\": []}").post("/analyzer/capture").then()
                .statusCode(202).body("accepted", equalTo(0));
    }
}
