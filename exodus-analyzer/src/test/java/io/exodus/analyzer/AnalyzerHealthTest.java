package io.exodus.analyzer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

@QuarkusTest
@QuarkusTestResource(SeededMigration.class)
class AnalyzerHealthTest {

    @Test
    void answersLivenessWithItsOwnCheck() {
        given().when().get("/q/health/live").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("exodus-analyzer"));
    }

    @Test
    void isReadyOnceItsEmbeddedStoreAnswers() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'exodus-analyzer-store' }.status", equalTo("UP"));
    }

    @Test
    void describesItsApiInOpenApi() {
        given().when().get("/q/openapi?format=json").then()
                .statusCode(200)
                .body("paths.'/analyzer/capture'.post", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/analyzer/checks'.get", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/analyzer/report'.get", org.hamcrest.Matchers.notNullValue());
    }
}
