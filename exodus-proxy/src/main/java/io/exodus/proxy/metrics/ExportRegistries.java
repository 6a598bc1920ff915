package io.exodus.proxy.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.datadog.DatadogConfig;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * The registries that push to Datadog, beside the Prometheus one that quarkus-micrometer-registry-prometheus
 * serves at {@code /q/metrics}. quarkus-micrometer adds every MeterRegistry bean to its composite (global)
 * registry; a producer that returns null (the registry is off) adds nothing, and then costs nothing per request.
 */
@Singleton
public class ExportRegistries {
    private static final Logger LOG = Logger.getLogger(ExportRegistries.class);

    /** Percentiles each instance computes, in the Datadog names' {@code phi} tag. */
    static final double[] PERCENTILES = { 0.5, 0.95, 0.99 };

    /**
     * Datadog bills every series: instead of the ~70 histogram buckets per timer that Prometheus gets, Datadog
     * and DogStatsD get three percentiles ({@code exodus.requests.percentile} with {@code phi}).
     */
    static final MeterFilter PERCENTILES_INSTEAD_OF_BUCKETS = new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!id.getName().startsWith(ExodusMeters.PREFIX)) {
                return config;
            }
            return DistributionStatisticConfig.builder()
                    .percentilesHistogram(false)
                    .percentiles(PERCENTILES)
                    .build()
                    .merge(config);
        }
    };

    @Produces
    @Singleton
    @Unremovable
    @SuppressWarnings("deprecation") // Micrometer points to Datadog's own agent-based guide; the HTTP API still works
    DatadogMeterRegistry datadog(MetricsConfig config) {
        MetricsConfig.Datadog datadog = config.datadog();
        if (!datadog.enabled()) {
            return null;
        }
        String apiKey = datadog.apiKey().filter(key -> !key.isBlank()).orElseThrow(() -> new IllegalStateException(
                "exodus.metrics.datadog.enabled=true needs exodus.metrics.datadog.api-key (EXODUS_METRICS_DATADOG_API_KEY)"));
        DatadogConfig settings = new DatadogConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String apiKey() {
                return apiKey;
            }

            @Override
            public String applicationKey() {
                return datadog.applicationKey().filter(key -> !key.isBlank()).orElse(null);
            }

            @Override
            public String uri() {
                return datadog.uri();
            }

            @Override
            public Duration step() {
                return datadog.step();
            }

            @Override
            public String hostTag() {
                return datadog.hostTag();
            }
        };
        DatadogMeterRegistry registry = new DatadogMeterRegistry(settings, Clock.SYSTEM);
        registry.config().meterFilter(PERCENTILES_INSTEAD_OF_BUCKETS);
        LOG.infof("Metrics are sent to Datadog at %s every %d s", datadog.uri(), datadog.step().toSeconds());
        return registry;
    }

    @Produces
    @Singleton
    @Unremovable
    StatsdMeterRegistry statsd(MetricsConfig config) {
        MetricsConfig.Statsd statsd = config.statsd();
        if (!statsd.enabled()) {
            return null;
        }
        StatsdConfig settings = new StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return StatsdFlavor.DATADOG;
            }

            @Override
            public String host() {
                return statsd.host();
            }

            @Override
            public int port() {
                return statsd.port();
            }

            @Override
            public Duration step() {
                return statsd.step();
            }
        };
        StatsdMeterRegistry registry = new StatsdMeterRegistry(settings, Clock.SYSTEM);
        registry.config().meterFilter(PERCENTILES_INSTEAD_OF_BUCKETS);
        LOG.infof("Metrics are sent as DogStatsD to %s:%d", statsd.host(), statsd.port());
        return registry;
    }
}
