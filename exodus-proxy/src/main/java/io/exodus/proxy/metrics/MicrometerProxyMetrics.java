package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.MigrationState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Registers the sessions' {@code exodus.*} meters once, at start-up, and hands sessions the meters they feed already
 * resolved: nothing is looked up by name and tags while the proxy relays (each request timer, one per protocol,
 * statement class and consistency policy, is registered the first time it is used, see {@link RequestTimers}). The
 * migration's own gauges are {@link MigrationGauges}' and {@link BackendProbe}'s; dual-write's meters are
 * {@link MicrometerDualWriteMetrics}'.
 * <p>
 * Latency timers publish a percentile histogram (Prometheus buckets, aggregable across instances); the Datadog and
 * StatsD registries turn it into client-side percentiles instead (see {@link ExportRegistries}).
 */
final class MicrometerProxyMetrics implements ProxyMetrics {
    private final MeterRegistry registry;
    private final RequestTimers sourceRequests;
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicInteger sourceConnections = new AtomicInteger();
    private final Runnable sourceConnectionClosed = sourceConnections::decrementAndGet;
    private final Map<SessionRefusal, Counter> refused = new EnumMap<>(SessionRefusal.class);
    private final Counter opened;
    private final Timer authenticated;
    private final Timer authenticationFailed;
    private final ErrorCounters backendErrors;
    private final ErrorCounters proxyErrors;

    MicrometerProxyMetrics(MeterRegistry registry, MigrationState migration) {
        this.registry = registry;
        sourceRequests = new RequestTimers(registry, ExodusMeters.ENDPOINT_SOURCE, migration);
        FunctionCounter.builder(ExodusMeters.CLIENT_BYTES, bytesIn, LongAdder::doubleValue)
                .description("Bytes relayed from clients to the proxy (in) and from the proxy to clients (out)")
                .baseUnit(BaseUnits.BYTES)
                .tag(ExodusMeters.TAG_DIRECTION, "in")
                .register(registry);
        FunctionCounter.builder(ExodusMeters.CLIENT_BYTES, bytesOut, LongAdder::doubleValue)
                .description("Bytes relayed from clients to the proxy (in) and from the proxy to clients (out)")
                .baseUnit(BaseUnits.BYTES)
                .tag(ExodusMeters.TAG_DIRECTION, "out")
                .register(registry);
        Gauge.builder(ExodusMeters.BACKEND_CONNECTIONS_ACTIVE, sourceConnections, AtomicInteger::get)
                .description("Backend sessions open on behalf of clients")
                .tag(ExodusMeters.TAG_ENDPOINT, ExodusMeters.ENDPOINT_SOURCE)
                .register(registry);
        opened = Counter.builder(ExodusMeters.SESSIONS_OPENED)
                .description("Client sessions relayed to a backend")
                .register(registry);
        for (SessionRefusal reason : SessionRefusal.values()) {
            refused.put(reason, Counter.builder(ExodusMeters.SESSIONS_REFUSED)
                    .description("Client sessions closed before they reached a backend, by reason")
                    .tag(ExodusMeters.TAG_REASON, reason.tagValue())
                    .register(registry));
        }
        authenticated = authTimer("success");
        authenticationFailed = authTimer("failure");
        backendErrors = new ErrorCounters(registry, ErrorOrigin.BACKEND);
        proxyErrors = new ErrorCounters(registry, ErrorOrigin.PROXY);
    }

    private Timer authTimer(String outcome) {
        return Timer.builder(ExodusMeters.AUTH)
                .description("Client authentication, from StartupMessage until the password is accepted or refused")
                .tag(ExodusMeters.TAG_OUTCOME, outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    @Override
    public RelayMetrics openRelay() {
        opened.increment();
        sourceConnections.incrementAndGet();
        return new RequestTracker(sourceRequests, bytesIn, bytesOut, backendErrors, sourceConnectionClosed);
    }

    @Override
    public void sessionRefused(SessionRefusal reason) {
        refused.get(reason).increment();
    }

    @Override
    public void authenticated(long startedAt) {
        authenticated.record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS);
    }

    @Override
    public void authenticationFailed(long startedAt) {
        authenticationFailed.record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS);
    }

    @Override
    public void error(ErrorOrigin origin, String sqlState) {
        (origin == ErrorOrigin.BACKEND ? backendErrors : proxyErrors).increment(SqlStateClass.of(sqlState));
    }

    @Override
    public void watchOpenSessions(IntSupplier openSessions) {
        Gauge.builder(ExodusMeters.SESSIONS_ACTIVE, openSessions, IntSupplier::getAsInt)
                .description("Client connections open, authenticating ones included")
                .strongReference(true)
                .register(registry);
    }
}
