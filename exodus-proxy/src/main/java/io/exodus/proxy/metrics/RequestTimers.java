package io.exodus.proxy.metrics;

import io.exodus.proxy.consistency.ConsistencyPolicy;
import io.exodus.proxy.routing.MigrationPhase;
import io.exodus.proxy.routing.MigrationState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code exodus.requests} timers of one endpoint, one per {@link RequestProtocol}, tagged with the proxy's phase
 * and the consistency policy in force when a request is answered ({@code none} in phase direct). The policy changes
 * at run time: each policy's timers are registered the first time one of its requests is answered (the policy at
 * start-up's right away) and then found by the policy's ordinal.
 */
final class RequestTimers {
    /** A relayed request rarely takes less than this; the histogram's lowest bucket. */
    static final Duration FASTEST_REQUEST = Duration.ofNanos(50_000);
    static final Duration SLOWEST_REQUEST = Duration.ofMinutes(5);

    private static final ConsistencyPolicy[] POLICIES = ConsistencyPolicy.values();

    private final MeterRegistry registry;
    private final String endpoint;
    private final String phase;
    /** Null when no policy applies (phase direct): then {@link #withoutPolicy} serves every request. */
    private final MigrationState migration;
    private final Timer[] withoutPolicy;
    private final AtomicReferenceArray<Timer[]> byPolicy = new AtomicReferenceArray<>(POLICIES.length);

    /** Timers already registered, one per protocol by ordinal, whatever the policy (for tests). */
    RequestTimers(Timer[] timers) {
        this.registry = null;
        this.endpoint = null;
        this.phase = null;
        this.migration = null;
        this.withoutPolicy = timers;
    }

    RequestTimers(MeterRegistry registry, String endpoint, MigrationState migration) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.phase = migration.phase().configName();
        if (migration.phase() == MigrationPhase.DIRECT) {
            this.migration = null;
            this.withoutPolicy = register(ExodusMeters.POLICY_NONE);
        } else {
            this.migration = migration;
            this.withoutPolicy = null;
            ofPolicy(migration.policy());
        }
    }

    /** The timer of a request of this protocol (by ordinal) answered now. */
    Timer timer(int protocol) {
        if (migration == null) {
            return withoutPolicy[protocol];
        }
        return ofPolicy(migration.policy())[protocol];
    }

    private Timer[] ofPolicy(ConsistencyPolicy policy) {
        Timer[] timers = byPolicy.get(policy.ordinal());
        if (timers == null) {
            // Two event loops may race here; the registry hands both the same timers.
            timers = register(policy.configName());
            byPolicy.set(policy.ordinal(), timers);
        }
        return timers;
    }

    private Timer[] register(String policy) {
        RequestProtocol[] protocols = RequestProtocol.values();
        Timer[] timers = new Timer[protocols.length];
        for (RequestProtocol protocol : protocols) {
            timers[protocol.ordinal()] = Timer.builder(ExodusMeters.REQUESTS)
                    .description("Requests from their last byte sent to the backend until its ReadyForQuery")
                    .tags(Tags.of(ExodusMeters.TAG_ENDPOINT, endpoint,
                            ExodusMeters.TAG_PROTOCOL, protocol.tagValue(),
                            ExodusMeters.TAG_PHASE, phase,
                            ExodusMeters.TAG_POLICY, policy))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(FASTEST_REQUEST)
                    .maximumExpectedValue(SLOWEST_REQUEST)
                    .register(registry);
        }
        return timers;
    }
}
