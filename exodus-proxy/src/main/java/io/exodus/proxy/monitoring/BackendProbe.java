package io.exodus.proxy.monitoring;

import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code exodus.backend.up{endpoint}}: 1 while a database accepts TCP connections, 0 when the last attempt failed,
 * probed every {@link #INTERVAL} the way the readiness checks probe ({@value #CONNECT_TIMEOUT_MILLIS} ms to connect,
 * then close without a word: PostgreSQL logs nothing for such a connection). The source is always probed; the target
 * in phase dual-write only, when the proxy writes to it. A metric beside the {@code target} readiness check because
 * under the policies that go on without the target the check stays UP, and a monitor reads a metric more easily than
 * a health endpoint. The gauge is registered when the first probe answers: before, there is nothing to send (a NaN
 * would make the Datadog registry's whole request invalid JSON). Nothing runs with
 * {@code exodus.metrics.enabled=false}.
 */
@Singleton
public class BackendProbe {
    static final Duration INTERVAL = Duration.ofSeconds(10);
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    /** Before the first probe answered: the gauge is not registered yet. */
    private static final int UNKNOWN = -1;

    private final MetricsConfig config;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final List<Probe> probes = new ArrayList<>();
    private volatile NetClient client;
    private long timer = -1;

    BackendProbe(MetricsConfig config, MeterRegistry registry, Vertx vertx, BackendEndpoints endpoints,
            MigrationState migration) {
        this.config = config;
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
            probes.add(new Probe(endpoint.role(), endpoint, registry));
        }
        client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS));
        probeAll();
        timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> probeAll());
    }

    private void probeAll() {
        NetClient current = client;
        if (current == null) {
            return; // stopped
        }
        for (Probe probe : probes) {
            probe.run(current);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private static final class Probe {
        final String endpointTag;
        final BackendEndpoint endpoint;
        final MeterRegistry registry;
        final AtomicInteger up = new AtomicInteger(UNKNOWN);
        /** A database that drops SYNs takes the whole connect timeout: the next probe waits for this one. */
        final AtomicBoolean running = new AtomicBoolean();

        Probe(String endpointTag, BackendEndpoint endpoint, MeterRegistry registry) {
            this.endpointTag = endpointTag;
            this.endpoint = endpoint;
            this.registry = registry;
        }

        void run(NetClient client) {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            client.connect(endpoint.url().socketAddress()).onComplete(connected -> {
                if (up.getAndSet(connected.succeeded() ? 1 : 0) == UNKNOWN) {
                    Gauge.builder(ExodusMeters.BACKEND_UP, up, AtomicInteger::get)
                            .description("1 while the database accepts connections, 0 when the last probe failed")
                            .tag(ExodusMeters.TAG_ENDPOINT, endpointTag)
                            .strongReference(true)
                            .register(registry);
                }
                if (connected.succeeded()) {
                    connected.result().close();
                }
                running.set(false);
            });
        }
    }
}
