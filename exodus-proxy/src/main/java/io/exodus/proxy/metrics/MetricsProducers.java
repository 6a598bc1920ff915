package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.MigrationState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy's metrics as CDI beans: the {@link ProxyMetrics} that sessions report to and the {@link DualWriteMetrics}
 * of the dual-write engine (do-nothing ones when {@code exodus.metrics.enabled=false}), and the common tags, which
 * quarkus-micrometer applies to every registry.
 */
@Singleton
public class MetricsProducers {
    static final String SERVICE = "exodus-proxy";

    @Produces
    @Singleton
    ProxyMetrics proxyMetrics(MetricsConfig config, MeterRegistry registry, MigrationState migration) {
        return config.enabled() ? new MicrometerProxyMetrics(registry, migration) : ProxyMetrics.DISABLED;
    }

    @Produces
    @Singleton
    @Unremovable
    DualWriteMetrics dualWriteMetrics(MetricsConfig config, MeterRegistry registry, MigrationState migration) {
        return config.enabled() ? new MicrometerDualWriteMetrics(registry, migration::phase)
                : DualWriteMetrics.DISABLED;
    }

    /** {@code service=exodus-proxy} and every {@code exodus.metrics.tags.<key>=<value>} (which may override it). */
    @Produces
    @Singleton
    MeterFilter commonTags(MetricsConfig config) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("service", SERVICE);
        tags.putAll(config.tags());
        List<Tag> list = tags.entrySet().stream().map(tag -> Tag.of(tag.getKey(), tag.getValue())).toList();
        return MeterFilter.commonTags(list);
    }
}
