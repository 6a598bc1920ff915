package io.exodus.proxy.sync;

import io.exodus.proxy.metrics.MetricsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.function.ToDoubleFunction;

/**
 * The initial sync's progress as gauges, read from its status whenever a registry publishes: {@code
 * exodus.sync.state} (1, tagged with the state the running or last sync is in; 0 for the others and all of them
 * before any sync), {@code exodus.sync.rows.copied}, {@code .rows.total} (the estimate), {@code .bytes.copied} and
 * {@code .changes.applied}. Nothing is registered with {@code exodus.metrics.enabled=false}.
 */
@Singleton
public class SyncGauges {
    private final MetricsConfig config;
    private final MeterRegistry registry;
    private final SyncService sync;

    SyncGauges(MetricsConfig config, MeterRegistry registry, SyncService sync) {
        this.config = config;
        this.registry = registry;
        this.sync = sync;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        for (SyncState state : SyncState.values()) {
            Gauge.builder("exodus.sync.state", sync,
                    service -> service.status().map(status -> status.state() == state ? 1 : 0).orElse(0))
                    .description("1 for the state the initial sync is in, 0 for the others")
                    .tag("state", state.apiName())
                    .strongReference(true)
                    .register(registry);
        }
        gauge("exodus.sync.rows.copied", "Rows the initial sync copied", SyncStatus::rowsCopied);
        gauge("exodus.sync.rows.total", "Rows the initial sync copies, estimated", SyncStatus::rowsTotal);
        gauge("exodus.sync.bytes.copied", "COPY data the initial sync moved", SyncStatus::bytesCopied);
        gauge("exodus.sync.changes.applied", "Changes since the copy's snapshot applied to the target",
                SyncStatus::changesApplied);
    }

    private void gauge(String name, String description, ToDoubleFunction<SyncStatus> value) {
        Gauge.builder(name, sync, service -> service.status().map(value::applyAsDouble).orElse(0.0))
                .description(description)
                .strongReference(true)
                .register(registry);
    }
}
