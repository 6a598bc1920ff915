package io.exodus.proxy.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy's metrics as CDI beans: the {@link ProxyMetrics} that sessions report to (a do-nothing one when
 * {@code exodus.metrics.enabled=false}) and the common tags, which quarkus-micrometer applies to every registry.
 */
@Singleton
public class MetricsProducers {
    static final String SERVICE = "exodus-proxy";

    @Produces
    @Singleton
    ProxyMetrics proxyMetrics(MetricsConfig config, MeterRegistry registry) {
        return config.enabled() ? new MicrometerProxyMetrics(registry) : ProxyMetrics.DISABLED;
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
