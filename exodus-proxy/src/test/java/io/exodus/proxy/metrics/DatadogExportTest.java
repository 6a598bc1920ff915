package io.exodus.proxy.metrics;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known traffic through the proxy arrives, with the right names, tags and values, at a fake Datadog HTTP intake
 * and a fake DogStatsD agent. No other test of this profile sends simple queries, class-22 errors or wrong
 * passwords, so those counts are exact.
 */
@QuarkusTest
@TestProfile(FakeDatadogProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DatadogExportTest {
    private static final int QUERIES = 25;
    private static final long WAIT_MILLIS = 15_000;
    private static final String[] REQUEST_TAGS = { "endpoint:source", "protocol:simple", "statement_class:read",
            "phase:direct", "policy:none", "service:exodus-proxy", "env:test" };

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @ConfigProperty(name = "exodus.metrics.datadog.uri")
    String intake;

    @Inject
    MeterRegistry registry;

    @Test
    void producedRegistriesJoinQuarkusCompositeRegistry() {
        CompositeMeterRegistry composite = assertInstanceOf(CompositeMeterRegistry.class, registry);
        List<Class<?>> children = composite.getRegistries().stream().<Class<?>>map(Object::getClass).toList();
        assertTrue(children.contains(DatadogMeterRegistry.class), children.toString());
        assertTrue(children.contains(StatsdMeterRegistry.class), children.toString());
        assertTrue(children.stream().anyMatch(PrometheusMeterRegistry.class::isAssignableFrom), children.toString());
    }

    @Test
    void simpleQueriesErrorsRefusalsAndBytesArriveAtDatadogAndDogStatsD() throws Exception {
        int simpleRequests = QUERIES + 1;
        IntakeRecordings got = IntakeRecordings.awaitRound(intake, WAIT_MILLIS,
                this::simpleQueriesAnErrorAndAWrongPassword,
                r -> r.datadogSum("exodus.requests.count", REQUEST_TAGS) >= simpleRequests
                        && r.statsd("exodus.requests", "ms", REQUEST_TAGS).size() >= simpleRequests
                        && r.datadogSum("exodus.errors", "origin:backend", "sqlstate_class:22") >= 1
                        && r.datadogSum("exodus.sessions.refused", "reason:auth") >= 1
                        && r.datadogHas("exodus.requests.percentile", "phi:0.99", "protocol:simple")
                        && sum(r.statsd("exodus.errors", "c", "origin:backend", "sqlstate_class:22")) >= 1
                        && sum(r.statsd("exodus.client.bytes", "c", "direction:in")) > 0);

        assertEquals("", got.rejected(), "every POST carried the API key");
        // Datadog HTTP API: the timer's count is the number of requests; percentiles instead of histogram buckets.
        assertEquals(simpleRequests, got.datadogSum("exodus.requests.count", REQUEST_TAGS));
        assertTrue(got.datadogHas("exodus.requests.avg", REQUEST_TAGS));
        assertTrue(got.datadogHas("exodus.requests.max", REQUEST_TAGS));
        assertTrue(got.datadogHas("exodus.requests.sum", REQUEST_TAGS));
        assertTrue(got.datadogHas("exodus.requests.percentile", "phi:0.5", "protocol:simple"));
        assertTrue(got.datadogHas("exodus.requests.percentile", "phi:0.95", "protocol:simple"));
        assertFalse(got.datadogMetricNames().contains("exodus.requests.histogram"), "no bucket series for Datadog");
        assertEquals(1, got.datadogSum("exodus.errors", "origin:backend", "sqlstate_class:22", "service:exodus-proxy"));
        assertEquals(1, got.datadogSum("exodus.errors", "origin:proxy", "sqlstate_class:28"));
        assertEquals(1, got.datadogSum("exodus.sessions.refused", "reason:auth"));
        assertTrue(got.datadogSum("exodus.sessions.opened") >= 1);
        assertTrue(got.datadogSum("exodus.client.bytes", "direction:in") > 0);
        assertTrue(got.datadogSum("exodus.client.bytes", "direction:out") > 0);
        assertTrue(got.datadogSum("exodus.auth.count", "outcome:success") >= 1);
        assertTrue(got.datadogSum("exodus.auth.count", "outcome:failure") >= 1);
        assertTrue(got.datadogHas("exodus.sessions.active"));
        assertTrue(got.datadogHas("exodus.backend.connections.active", "endpoint:source"));
        assertTrue(got.datadogHasValue("exodus.phase", 1, "phase:direct"));
        assertTrue(got.datadogHasValue("exodus.policy", 1, "policy:none"), "no policy applies in phase direct");
        assertTrue(got.datadogHasValue("exodus.twophase.in_doubt", 0), "two-phase commit never used");
        assertTrue(got.datadogHasValue("exodus.backend.up", 1, "endpoint:source"));
        assertFalse(got.datadogHas("exodus.backend.up", "endpoint:target"), "the target is not used in phase direct");

        // DogStatsD: one timing line per request, counters as deltas.
        assertEquals(simpleRequests, got.statsd("exodus.requests", "ms", REQUEST_TAGS).size());
        assertEquals(1, sum(got.statsd("exodus.errors", "c", "origin:backend", "sqlstate_class:22")));
        assertEquals(1, sum(got.statsd("exodus.sessions.refused", "c", "reason:auth")));
        assertTrue(sum(got.statsd("exodus.client.bytes", "c", "direction:out")) > 0);
    }

    private void simpleQueriesAnErrorAndAWrongPassword() throws IOException {
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            for (int i = 0; i < QUERIES; i++) {
                assertNull(traffic.simpleQuery("select " + i));
            }
            assertEquals("22012", traffic.simpleQuery("select 1/0"));
        }
        try (RawPgConnection wrongPassword = new RawPgConnection("127.0.0.1", port)) {
            assertThrows(IOException.class,
                    () -> wrongPassword.login(TestUsers.MD5_USER, "not-the-password", TestUsers.DEFAULT_DATABASE));
        }
    }

    private static double sum(List<IntakeRecordings.StatsdLine> lines) {
        return lines.stream().mapToDouble(IntakeRecordings.StatsdLine::value).sum();
    }
}
