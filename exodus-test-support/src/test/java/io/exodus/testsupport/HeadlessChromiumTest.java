package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The browser fixture notices what a page does wrong, so that a test finding no error means something. */
class HeadlessChromiumTest {

    @Test
    void reportsConsoleErrorsExceptionsAndFailedLoads() throws Exception {
        Assumptions.assumeTrue("true".equalsIgnoreCase(System.getenv("CI")) || HeadlessChromium.locate().isPresent(),
                "chromium is not installed (apt-get install chromium); CI installs it and runs this test");
        String page = "<html><body><h1>broken</h1><script>console.error('boom'); undefinedFunction();</script>"
                + "<img src='file:///nonexistent/picture.png'></body></html>";
        Path screenshot = Files.createTempFile("chromium-test-", ".png");
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            HeadlessChromium.LoadedPage loaded = browser.load("data:text/html,"
                    + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"), screenshot);
            List<String> errors = loaded.errors();
            assertTrue(errors.stream().anyMatch(error -> error.startsWith("console.error") && error.contains("boom")),
                    errors::toString);
            assertTrue(errors.stream().anyMatch(error -> error.startsWith("exception")
                    && error.contains("undefinedFunction")), errors::toString);
            assertTrue(Files.size(screenshot) > 0);

            HeadlessChromium.LoadedPage clean = browser.load("data:text/html,%3Cp%3Efine%3C%2Fp%3E", screenshot);
            assertEquals(List.of(), clean.errors(), "a second page starts with no errors of the first");
        } finally {
            Files.deleteIfExists(screenshot);
        }
    }
}
