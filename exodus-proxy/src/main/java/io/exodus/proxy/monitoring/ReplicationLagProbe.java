package io.exodus.proxy.monitoring;

import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.migration.MigrationState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code exodus.replication.lag} (seconds) and {@code exodus.replication.lag_bytes}, tagged {@code endpoint},
 * {@code kind} and {@code replica}, for every replication connection of a database, or for the database itself when
 * it is a standby; and {@code exodus.replication.slot.retained_bytes{endpoint,slot,active}} for every replication
 * slot, which keeps WAL on its database's disk until its reader confirms it (a forgotten inactive slot fills the
 * disk). Read with {@link ReplicationLagQuery} every {@code exodus.metrics.replication-lag-interval} over the proxy's
 * own connections, off the relay's path: the source always, the target in the phases that write to it. A series goes
 * when its replica or slot goes; when a reading fails, or has not answered by the next one, the endpoint reports
 * nothing at all rather than old values, and the proxy logs it once. Nothing runs with
 * {@code exodus.metrics.enabled=false}.
 */
@Singleton
public class ReplicationLagProbe {
    private static final Logger LOG = Logger.getLogger(ReplicationLagProbe.class);

    private final MetricsConfig config;
    private final ExodusConfig exodus;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    /** Filled at start-up; read by the timer and by {@link #latest()} on other threads. */
    private final List<EndpointLag> probed = new CopyOnWriteArrayList<>();
    private volatile ControlConnections connections;
    private long timer = -1;

    ReplicationLagProbe(MetricsConfig config, ExodusConfig exodus, MeterRegistry registry, Vertx vertx,
            BackendEndpoints endpoints, MigrationState migration) {
        this.config = config;
        this.exodus = exodus;
        this.registry = registry;
        this.vertx = vertx;
        this.endpoints = endpoints;
        this.migration = migration;
    }

    synchronized void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        for (BackendEndpoint endpoint : endpoints.usedIn(migration.phase())) {
            probed.add(new EndpointLag(endpoint.role(), endpoint));
        }
        connections = new ControlConnections(vertx, exodus.source().connectTimeout());
        readAll();
        timer = vertx.setPeriodic(config.replicationLagInterval().toMillis(), id -> readAll());
    }

    /** Reads every endpoint once; completes when each has answered or failed. */
    public Future<Void> readAll() {
        ControlConnections current = connections;
        if (current == null) {
            return Future.succeededFuture(); // stopped, or metrics off
        }
        return Future.join(probed.stream().map(endpoint -> endpoint.read(current)).toList()).mapEmpty();
    }

    /**
     * The last reading of each endpoint, by its {@code endpoint} tag; an endpoint whose last reading failed, or that
     * has not answered yet, is left out. Empty with {@code exodus.metrics.enabled=false}.
     */
    public Map<String, List<ReplicationLag>> latest() {
        Map<String, List<ReplicationLag>> latest = new LinkedHashMap<>();
        for (EndpointLag endpoint : probed) {
            List<ReplicationLag> lags = endpoint.latest;
            if (lags != null) {
                latest.put(endpoint.endpointTag, lags);
            }
        }
        return latest;
    }

    @PreDestroy
    synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (connections != null) {
            connections.close();
            connections = null;
        }
    }

    private final class EndpointLag {
        final String endpointTag;
        final BackendEndpoint endpoint;
        final MultiGauge seconds;
        final MultiGauge bytes;
        final MultiGauge retained;
        /** A database that does not answer would pile readings up: the next one waits for this one, and fails. */
        final AtomicBoolean running = new AtomicBoolean();
        volatile List<ReplicationLag> latest;
        /** Why the readings fail, while they do: the log says it once, and again when they work again. */
        private String failure;

        EndpointLag(String endpointTag, BackendEndpoint endpoint) {
            this.endpointTag = endpointTag;
            this.endpoint = endpoint;
            this.seconds = MultiGauge.builder(ExodusMeters.REPLICATION_LAG)
                    .description("How long ago the oldest WAL a replica has not replayed was written")
                    .baseUnit("seconds")
                    .tag(ExodusMeters.TAG_ENDPOINT, endpointTag)
                    .register(registry);
            this.bytes = MultiGauge.builder(ExodusMeters.REPLICATION_LAG_BYTES)
                    .description("WAL a replica has not replayed yet")
                    .baseUnit("bytes")
                    .tag(ExodusMeters.TAG_ENDPOINT, endpointTag)
                    .register(registry);
            this.retained = MultiGauge.builder(ExodusMeters.REPLICATION_SLOT_RETAINED)
                    .description("WAL a replication slot keeps because its reader has not confirmed it")
                    .baseUnit("bytes")
                    .tag(ExodusMeters.TAG_ENDPOINT, endpointTag)
                    .register(registry);
        }

        /** Always succeeds: a failure is reported, not passed on. */
        Future<Void> read(ControlConnections current) {
            if (!running.compareAndSet(false, true)) {
                Duration interval = config.replicationLagInterval();
                failed("the last reading has not answered within " + interval.toMillis() + " ms");
                return Future.succeededFuture();
            }
            return new ReplicationLagQuery(current.to(endpoint)).read()
                    .onSuccess(this::report)
                    .onFailure(cause -> {
                        if (connections != null) { // else closed by stop(), which is no failure to report
                            failed(String.valueOf(cause.getMessage()));
                        }
                    })
                    .onComplete(done -> running.set(false))
                    .<Void>mapEmpty()
                    .otherwiseEmpty();
        }

        synchronized void report(List<ReplicationLag> lags) {
            List<MultiGauge.Row<?>> secondRows = new ArrayList<>();
            List<MultiGauge.Row<?>> byteRows = new ArrayList<>();
            List<MultiGauge.Row<?>> retainedRows = new ArrayList<>();
            for (ReplicationLag lag : lags) {
                if (lag.kind() == ReplicationLag.Kind.SLOT) {
                    if (lag.bytes() != null) {
                        retainedRows.add(MultiGauge.Row.of(Tags.of(ExodusMeters.TAG_SLOT, lag.name(),
                                ExodusMeters.TAG_ACTIVE, String.valueOf(lag.active())), lag.bytes()));
                    }
                    continue;
                }
                Tags tags = Tags.of(ExodusMeters.TAG_KIND, lag.kind().tag(), ExodusMeters.TAG_REPLICA, lag.name());
                if (lag.seconds() != null) {
                    secondRows.add(MultiGauge.Row.of(tags, lag.seconds()));
                }
                if (lag.bytes() != null) {
                    byteRows.add(MultiGauge.Row.of(tags, lag.bytes()));
                }
            }
            seconds.register(secondRows, true);
            bytes.register(byteRows, true);
            retained.register(retainedRows, true);
            latest = List.copyOf(lags);
            if (failure != null) {
                LOG.infof("The replication lag of the %s can be read again", endpoint.describe());
                failure = null;
            }
        }

        synchronized void failed(String why) {
            seconds.register(List.of(), true);
            bytes.register(List.of(), true);
            retained.register(List.of(), true);
            latest = null;
            if (failure == null) {
                LOG.warnf("Could not read the replication lag of the %s; its exodus.replication.* gauges report "
                        + "nothing until it answers: %s", endpoint.describe(), why);
            } else {
                LOG.debugf("The replication lag of the %s still cannot be read: %s", endpoint.describe(), why);
            }
            failure = why;
        }
    }
}
