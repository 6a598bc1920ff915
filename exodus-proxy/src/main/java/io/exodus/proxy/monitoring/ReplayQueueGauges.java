package io.exodus.proxy.monitoring;

import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.catchup.CatchUpStatus;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * Each database's replay queue as gauges, {@code exodus.replay.queue.depth{database,home}} and
 * {@code exodus.replay.queue.oldest_age{database,home}}: the catch-up applier's lag where {@code exodus.replay.depth}
 * and {@code .oldest_age} give only the sum and the worst. The set of databases changes at run time, so the series are
 * set again at each {@code exodus.replay.poll-interval}, from what the last poll read (no server is asked); a database
 * the proxy forgot loses its series.
 */
@Singleton
public class ReplayQueueGauges {
    private final MetricsConfig config;
    private final ExodusConfig exodus;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final CatchUpApplier replayer;
    private MultiGauge depth;
    private MultiGauge oldestAge;
    private long timer = -1;

    ReplayQueueGauges(MetricsConfig config, ExodusConfig exodus, MeterRegistry registry, Vertx vertx,
            CatchUpApplier replayer) {
        this.config = config;
        this.exodus = exodus;
        this.registry = registry;
        this.vertx = vertx;
        this.replayer = replayer;
    }

    synchronized void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || !replayer.active()) {
            return;
        }
        depth = MultiGauge.builder(ExodusMeters.REPLAY_QUEUE_DEPTH)
                .description("Transactions queued for the secondary in one database's replay queue")
                .register(registry);
        oldestAge = MultiGauge.builder(ExodusMeters.REPLAY_QUEUE_OLDEST_AGE)
                .description("Age of the oldest transaction queued in one database's replay queue")
                .baseUnit("seconds")
                .register(registry);
        timer = vertx.setPeriodic(exodus.replay().pollInterval().toMillis(), id -> refresh());
    }

    synchronized void refresh() {
        List<MultiGauge.Row<?>> depths = new ArrayList<>();
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        for (CatchUpStatus.DatabaseStatus queue : replayer.databases()) {
            Tags tags = Tags.of(ExodusMeters.TAG_DATABASE, queue.database(), ExodusMeters.TAG_HOME, queue.home());
            depths.add(MultiGauge.Row.of(tags, queue.depth()));
            ages.add(MultiGauge.Row.of(tags, queue.oldestAgeSeconds()));
        }
        depth.register(depths, true);
        oldestAge.register(ages, true);
    }

    @PreDestroy
    synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
