package io.exodus.proxy.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a user can set under {@code exodus.metrics.*}; the README lists the keys with their defaults and
 * docs/observability.md explains them.
 */
@ConfigMapping(prefix = "exodus.metrics")
public interface MetricsConfig {

    /** Off: no {@code exodus.*} meter is registered and the relay takes a path that measures nothing. */
    @WithDefault("true")
    boolean enabled();

    /** Tags added to every meter besides {@code service=exodus-proxy}, for example {@code env} or {@code migration}. */
    Map<String, String> tags();

    /**
     * How often the replication lag of the source (and in phase dual-write of the target) is read; a reading that
     * has not answered by the next one counts as failed.
     */
    @WithName("replication-lag-interval")
    @WithDefault("10s")
    Duration replicationLagInterval();

    Datadog datadog();

    Statsd statsd();

    /** Push to Datadog's HTTP API ({@code POST /api/v1/series}), no agent needed. */
    interface Datadog {
        @WithDefault("false")
        boolean enabled();

        @WithName("api-key")
        Optional<String> apiKey();

        /** Needed only to send metric metadata (units, descriptions). */
        @WithName("application-key")
        Optional<String> applicationKey();

        /** The Datadog site, e.g. {@code https://api.datadoghq.eu} or {@code https://api.us5.datadoghq.com}. */
        @WithDefault("https://api.datadoghq.com")
        String uri();

        @WithDefault("30s")
        Duration step();

        /** The tag whose value Datadog takes as the series' host (set it with {@code exodus.metrics.tags.host}). */
        @WithName("host-tag")
        @WithDefault("host")
        String hostTag();
    }

    /** Send DogStatsD lines over UDP to a Datadog agent beside the proxy. */
    interface Statsd {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("localhost")
        String host();

        @WithDefault("8125")
        int port();

        /** How often gauges and function counters (bytes) are polled and sent. */
        @WithDefault("10s")
        Duration step();
    }
}
