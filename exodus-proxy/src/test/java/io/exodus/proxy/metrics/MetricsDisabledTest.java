package io.exodus.proxy.metrics;

import io.exodus.testsupport.PostgresPairResource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exodus.metrics.enabled=false: the proxy relays as before and registers no exodus meter at all. */
@QuarkusTest
@TestProfile(MetricsDisabledTest.MetricsOff.class)
@QuarkusTestResource(PostgresPairResource.class)
class MetricsDisabledTest {

    public static class MetricsOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.metrics.enabled", "false");
        }
    }

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MeterRegistry registry;

    @Inject
    ProxyMetrics metrics;

    @Inject
    DualWriteMetrics dualWriteMetrics;

    @Test
    void trafficFlowsAndNoExodusMeterIsRegistered() throws Exception {
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            for (int i = 0; i < 5; i++) {
                assertNull(traffic.simpleQuery("select " + i));
            }
            assertNull(traffic.extendedQuery("select 'extended'"));
            assertEquals("22012", traffic.simpleQuery("select 1/0"));
        }
        assertSame(ProxyMetrics.DISABLED, metrics);
        assertSame(RelayMetrics.NONE, metrics.openRelay(), "the relay takes the path that measures nothing");
        assertSame(DualWriteMetrics.DISABLED, dualWriteMetrics);
        assertFalse(RelayMetrics.NONE.classifiesStatements(), "no statement is peeked at or classified");
        assertFalse(DualWriteMetrics.DISABLED.classifiesStatements(), "nor on the dual-write legs");
        List<String> exodusMeters = registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName)
                .filter(name -> name.startsWith(ExodusMeters.PREFIX)).toList();
        assertTrue(exodusMeters.isEmpty(), exodusMeters.toString());
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(scrape.contains("exodus_"), "no exodus series in /q/metrics");
        assertTrue(scrape.contains("jvm_"), "the JVM's own metrics are still there");
    }
}
