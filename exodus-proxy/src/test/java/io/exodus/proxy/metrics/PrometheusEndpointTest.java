package io.exodus.proxy.metrics;

import io.exodus.testsupport.PostgresPairResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the default configuration the proxy's meters are scraped from /q/metrics, and nothing goes to Datadog. */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class PrometheusEndpointTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MeterRegistry registry;

    @Inject
    Vertx vertx;

    @Test
    void requestLatencyIsAHistogramWithItsTags() throws Exception {
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            assertNull(traffic.simpleQuery("select 1"));
            assertNull(traffic.extendedQuery("select 2"));
        }
        List<String> lines = given().get("/q/metrics").then().statusCode(200).extract().asString().lines().toList();
        assertHasLine(lines, "exodus_requests_seconds_count{", "endpoint=\"source\"", "protocol=\"simple\"",
                "statement_class=\"read\"", "phase=\"direct\"", "policy=\"none\"", "service=\"exodus-proxy\"");
        assertHasLine(lines, "exodus_requests_seconds_count{", "protocol=\"extended\"", "statement_class=\"read\"");
        assertHasLine(lines, "exodus_requests_seconds_sum{", "protocol=\"simple\"");
        assertHasLine(lines, "exodus_requests_seconds_bucket{", "protocol=\"simple\"", "le=\"+Inf\"");
        assertHasLine(lines, "exodus_requests_seconds_max{", "protocol=\"simple\"");
        assertHasLine(lines, "exodus_client_bytes_total{", "direction=\"in\"");
        assertHasLine(lines, "exodus_client_bytes_total{", "direction=\"out\"");
        assertHasLine(lines, "exodus_sessions_opened_total{");
        assertHasLine(lines, "exodus_sessions_refused_total{", "reason=\"shutdown\"");
        assertHasLine(lines, "exodus_sessions_active{");
        assertHasLine(lines, "exodus_backend_connections_active{", "endpoint=\"source\"");
        assertHasLine(lines, "exodus_auth_seconds_count{", "outcome=\"success\"");
        assertHasLine(lines, "exodus_phase{", "phase=\"direct\"");
        assertHasLine(lines, "exodus_policy{", "policy=\"none\"");
        assertHasLine(lines, "exodus_twophase_in_doubt{");
        assertHasLine(lines, "exodus_twophase_recovered_total{", "action=\"committed\"", "endpoint=\"target\"");
        assertHasLine(lines, "exodus_backend_up{", "endpoint=\"source\"");
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("exodus_backend_up{")
                && line.contains("endpoint=\"source\"") && line.endsWith(" 1.0")), "the source is up");
        assertHasLine(lines, "exodus_divergence_total{", "kind=\"row_count\"", "policy=\"both-required\"");
        assertFalse(lines.stream().anyMatch(line -> line.startsWith("exodus_requests_seconds{")),
                "no client-side quantiles in Prometheus: buckets aggregate across instances, quantiles do not");
    }

    @Test
    void datadogAndStatsdRegistriesAreOffByDefault() {
        List<Class<?>> children = ((CompositeMeterRegistry) registry).getRegistries().stream()
                .<Class<?>>map(Object::getClass).toList();
        assertFalse(children.contains(DatadogMeterRegistry.class), children.toString());
        assertFalse(children.contains(StatsdMeterRegistry.class), children.toString());
    }

    @Test
    void vertxDoesNotMeasureTheProxySocketsOnTheHotPath() {
        assertFalse(vertx.isMetricsEnabled(), "quarkus.micrometer.binder.vertx.enabled=false");
    }

    private static void assertHasLine(List<String> lines, String start, String... parts) {
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(start) && List.of(parts).stream()
                .allMatch(line::contains)), start + " with " + List.of(parts) + " in\n" + String.join("\n",
                        lines.stream().filter(line -> line.startsWith("exodus_")).toList()));
    }
}
