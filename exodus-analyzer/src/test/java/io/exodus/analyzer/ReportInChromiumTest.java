package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.Protocol;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.testsupport.HeadlessChromium;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The HTML report in the real headless Chromium: no error in its console, and a screenshot to look at. */
@QuarkusTest
@QuarkusTestResource(SeededMigration.class)
class ReportInChromiumTest {

    @TestHTTPResource("/analyzer/report")
    URL report;

    @Test
    void rendersWithoutABrowserErrorVerdictsFirst() throws Exception {
        boolean inCi = "true".equalsIgnoreCase(System.getenv("CI"));
        Assumptions.assumeTrue(inCi || HeadlessChromium.locate().isPresent(),
                "chromium is not installed (apt-get install chromium); CI installs it and runs this test");
        captureSomeTraffic();
        String html = given().get("/analyzer/report").then().statusCode(200).contentType("text/html").extract()
                .asString();
        assertTrue(html.indexOf("id=\"verdicts\"") < html.indexOf("id=\"recommendations\"")
                && html.indexOf("id=\"recommendations\"") < html.indexOf("id=\"workload\""),
                "verdicts, then recommendations, then the profile");
        assertTrue(html.contains("<svg class=\"chart\""), "charts are drawn");
        assertTrue(!html.contains("http://") && !html.contains("https://"), "nothing is loaded from elsewhere");

        Path screenshot = Path.of("target", "report.png");
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            HeadlessChromium.LoadedPage page = browser.load(report.toString(), screenshot);
            assertEquals(List.of(), page.errors(), "the browser's error reports");
            assertTrue(Files.size(screenshot) > 10_000 && page.height() > 1000,
                    "a full-page screenshot of a long report at " + screenshot.toAbsolutePath());
        }
    }

    /** Enough traffic for the charts to show something: reads and writes over a minute, in a few sessions. */
    private static void captureSomeTraffic() {
        List<StatementEvent> events = new ArrayList<>();
        Instant start = Instant.now().minusSeconds(60);
        for (int i = 0; i < 600; i++) {
            Instant at = start.plusMillis(i * 100L);
            long session = i % 8;
            events.add(StatementEvent.of(at, session, Protocol.EXTENDED, StatementClass.READ,
                    "SELECT abalance FROM pgbench_accounts WHERE aid = " + i, 150 + i % 40));
            if (i % 3 == 0) {
                events.add(StatementEvent.of(at, session, Protocol.EXTENDED, StatementClass.WRITE,
                        "UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = " + i, 400 + i % 90));
            }
            if (i % 50 == 0) {
                events.add(StatementEvent.of(at, session, Protocol.SIMPLE, StatementClass.SESSION,
                        "SET application_name = 'report-test'", 20));
            }
        }
        given().contentType(ContentType.JSON).body(new CaptureBatch("report-test", 0L, events))
                .post("/analyzer/capture").then().statusCode(202);
    }
}
