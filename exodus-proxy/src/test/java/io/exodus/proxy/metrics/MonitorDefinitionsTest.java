package io.exodus.proxy.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.monitoring.ReplicationLagProbe;
import io.exodus.proxy.verify.Verification;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.LogicalSubscription;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestDatabases;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Datadog monitors and dashboards under monitoring/ parse, and every metric their queries name is one the proxy
 * really sends to Datadog: the set is derived from the running proxy's Datadog registry (after traffic, and while
 * the source has a logical subscriber) and checked against what the fake intake received, not written down by hand.
 */
@QuarkusTest
@TestProfile(FakeDatadogProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class MonitorDefinitionsTest {
    private static final Pattern METRIC = Pattern.compile("exodus\\.[a-z_.]+");
    private static final Pattern THRESHOLD = Pattern.compile("[<>]=?\\s*(-?[0-9.]+)\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @ConfigProperty(name = "exodus.metrics.datadog.uri")
    String intake;

    @Inject
    MeterRegistry registry;

    @Inject
    DualWriteMetrics dualWrite;

    @Inject
    ReplicationLagProbe replicationLag;

    @Inject
    Verification verification;

    @Test
    void everyMetricTheMonitorsAndDashboardsQueryIsOneTheProxySendsToDatadog() throws Exception {
        // Extended-protocol traffic and a class-42 error only: DatadogExportTest counts simple queries exactly.
        try (ProxyTraffic traffic = ProxyTraffic.open(port)) {
            traffic.extendedQuery("select 1");
            assertEquals("42P01", traffic.extendedQuery("select * from no_such_table_for_metrics"));
        }
        // This proxy is in phase direct, where no leg or commit is timed: one of each, as the dual-write engine
        // reports them, so that their meters exist (DualWriteExportTest pins them in phase dual-write).
        long started = System.nanoTime();
        dualWrite.legRequest(ConsistencyPolicy.BOTH_REQUIRED, StatementClass.WRITE, true, false, started, false);
        dualWrite.commit(ConsistencyPolicy.BOTH_REQUIRED, CommitOutcome.COMMITTED, started);
        // The verification gauges appear once a verification has finished.
        verifyATable();
        Set<String> emitted;
        // The replication gauges exist only while the source has a replica and a slot: a real subscriber for them.
        try (LogicalSubscription subscription = LogicalSubscription.start("exodus_monitored_subscriber")) {
            subscription.replicateOneRow();
            awaitReplicationGauges();
            emitted = datadogNames(datadogRegistry());
            assertTrue(emitted.contains("exodus.requests.percentile"), emitted.toString());
            assertTrue(emitted.contains("exodus.errors"), emitted.toString());
            assertTrue(emitted.contains("exodus.leg.requests.percentile"), emitted.toString());
            assertTrue(emitted.contains("exodus.divergence"), emitted.toString());
            assertTrue(emitted.contains("exodus.replication.slot.retained_bytes"), emitted.toString());
            assertTrue(emitted.contains("exodus.verification.identical"), emitted.toString());
            assertReceivedByTheIntake(emitted);
        }

        List<Path> files = definitionFiles();
        assertTrue(files.stream().anyMatch(file -> file.toString().contains("monitors")), "monitors: " + files);
        assertTrue(files.stream().anyMatch(file -> file.toString().contains("dashboards")), "dashboards: " + files);
        for (Path file : files) {
            JsonNode definition = JSON.readTree(file.toFile());
            List<String> queries = new ArrayList<>();
            collectQueries(definition, queries);
            assertFalse(queries.isEmpty(), file + " has no query");
            for (String query : queries) {
                Matcher metric = METRIC.matcher(query);
                while (metric.find()) {
                    String name = metric.group().replaceAll("\\.+$", "");
                    assertTrue(emitted.contains(name), file.getFileName() + " queries " + name
                            + ", which the proxy does not send; it sends " + emitted);
                }
            }
            if (file.getParent().getFileName().toString().equals("monitors")) {
                assertIsAMonitor(file, definition);
            } else {
                assertIsADashboard(file, definition);
            }
        }
    }

    private void verifyATable() throws Exception {
        for (var server : List.of(TestDatabases.source(), TestDatabases.target())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("drop table if exists monitored_verification");
                statement.execute("create table monitored_verification (id int primary key)");
            }
        }
        verification.start(List.of("monitored_verification"), null).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 30_000;
        while (verification.latestFinished().isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, "the verification did not finish");
            Thread.sleep(100);
        }
    }

    private void awaitReplicationGauges() throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        await(replicationLag.readAll());
        while (registry.find(ExodusMeters.REPLICATION_LAG).gauge() == null
                || registry.find(ExodusMeters.REPLICATION_LAG_BYTES).gauge() == null
                || registry.find(ExodusMeters.REPLICATION_SLOT_RETAINED).gauge() == null) {
            assertTrue(System.currentTimeMillis() < deadline, "the source's subscriber was never reported");
            Thread.sleep(200);
            await(replicationLag.readAll());
        }
    }

    private static void await(Future<Void> reading) throws Exception {
        reading.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The names DatadogMeterRegistry gives each exodus meter: a timer becomes .count, .sum, .avg and .max. */
    private static Set<String> datadogNames(MeterRegistry datadog) {
        NamingConvention convention = datadog.config().namingConvention();
        Set<String> names = new TreeSet<>();
        for (Meter meter : datadog.getMeters()) {
            Meter.Id id = meter.getId();
            if (!id.getName().startsWith(ExodusMeters.PREFIX)) {
                continue;
            }
            if (meter instanceof Timer || meter instanceof DistributionSummary) {
                for (String statistic : List.of("count", "sum", "avg", "max")) {
                    names.add(convention.name(id.getName() + "." + statistic, id.getType(), id.getBaseUnit()));
                }
            } else {
                names.add(convention.name(id.getName(), id.getType(), id.getBaseUnit()));
            }
        }
        return names;
    }

    private MeterRegistry datadogRegistry() {
        CompositeMeterRegistry composite = (CompositeMeterRegistry) registry;
        return composite.getRegistries().stream().filter(DatadogMeterRegistry.class::isInstance).findFirst()
                .orElseThrow(() -> new AssertionError("no Datadog registry in " + composite.getRegistries()));
    }

    private void assertReceivedByTheIntake(Set<String> emitted) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        Set<String> received = IntakeRecordings.fetch(intake).datadogMetricNames();
        while (!received.containsAll(emitted) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            received = IntakeRecordings.fetch(intake).datadogMetricNames();
        }
        Set<String> missing = new TreeSet<>(emitted);
        missing.removeAll(received);
        assertTrue(missing.isEmpty(), "derived from the registry but never received: " + missing);
    }

    private static void collectQueries(JsonNode node, List<String> queries) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if ((field.getKey().equals("query") || field.getKey().equals("q")) && field.getValue().isTextual()) {
                    queries.add(field.getValue().asText());
                } else {
                    collectQueries(field.getValue(), queries);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectQueries(element, queries));
        }
    }

    /** What POST /api/v1/monitor needs, and a critical threshold equal to the query's. */
    private static void assertIsAMonitor(Path file, JsonNode monitor) {
        for (String field : List.of("name", "type", "query", "message")) {
            assertTrue(monitor.path(field).isTextual() && !monitor.path(field).asText().isBlank(),
                    file.getFileName() + " lacks " + field);
        }
        assertTrue(Set.of("metric alert", "query alert").contains(monitor.path("type").asText()), file.toString());
        Matcher threshold = THRESHOLD.matcher(monitor.path("query").asText());
        assertTrue(threshold.find(), file.getFileName() + ": the query ends with a comparison");
        JsonNode critical = monitor.path("options").path("thresholds").path("critical");
        assertNotNull(critical.numberValue(), file.getFileName() + " has options.thresholds.critical");
        assertEquals(Double.parseDouble(threshold.group(1)), critical.asDouble(),
                file.getFileName() + ": options.thresholds.critical must equal the query's threshold");
    }

    /** What POST /api/v1/dashboard needs. */
    private static void assertIsADashboard(Path file, JsonNode dashboard) {
        assertTrue(dashboard.path("title").isTextual(), file.getFileName() + " lacks a title");
        assertTrue(Set.of("ordered", "free").contains(dashboard.path("layout_type").asText()), file.toString());
        assertTrue(dashboard.path("widgets").isArray() && dashboard.path("widgets").size() > 0, file.toString());
    }

    private static List<Path> definitionFiles() throws IOException {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path folder = start; folder != null; folder = folder.getParent()) {
            Path monitoring = folder.resolve("monitoring");
            if (Files.isDirectory(monitoring) && Files.isDirectory(folder.resolve("exodus-proxy"))) {
                try (Stream<Path> paths = Files.walk(monitoring)) {
                    return paths.filter(path -> path.toString().endsWith(".json")).sorted().toList();
                }
            }
        }
        throw new IllegalStateException("no monitoring/ folder above " + start);
    }
}
