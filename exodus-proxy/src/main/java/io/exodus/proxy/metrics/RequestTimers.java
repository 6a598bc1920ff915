package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code exodus.requests} timers of one endpoint, one per {@link RequestProtocol} and {@link StatementClass},
 * tagged with the proxy's phase and the consistency policy in force when a request is answered ({@code none} in phase
 * direct). Each combination's timer is registered the first time one of its requests is answered, then found in a
 * flat array by the policy's ordinal, the protocol's and the class's: a combination that never occurs (a COPY over
 * the extended protocol, a policy never used) costs no series.
 */
final class RequestTimers {
    /** A relayed request rarely takes less than this; the histogram's lowest bucket. */
    static final Duration FASTEST_REQUEST = Duration.ofNanos(50_000);
    static final Duration SLOWEST_REQUEST = Duration.ofMinutes(5);

    private static final ConsistencyPolicy[] POLICIES = ConsistencyPolicy.values();
    private static final int PER_POLICY = RequestProtocol.values().length * StatementClass.COUNT;

    private static final MigrationPhase[] PHASES = MigrationPhase.values();
    /** Per phase: the timers without a policy (phase direct), then those of each policy. */
    private static final int PER_PHASE = (POLICIES.length + 1) * PER_POLICY;

    private final MeterRegistry registry;
    private final String endpoint;
    /** Null for timers that always count phase direct (no policy applies there). */
    private final MigrationState migration;
    private final AtomicReferenceArray<Timer> timers;

    /** Timers tagged with the phase and policy of the moment each request is answered: both change at run time. */
    RequestTimers(MeterRegistry registry, String endpoint, MigrationState migration) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.migration = migration;
        this.timers = new AtomicReferenceArray<>(PHASES.length * PER_PHASE);
    }

    /** The timers of phase direct, whose requests follow no policy. */
    RequestTimers(MeterRegistry registry, String endpoint) {
        this(registry, endpoint, null);
    }

    /** The timer of a request of this protocol and statement class (by ordinal) answered now. */
    Timer timer(int protocol, int statementClass) {
        MigrationPhase phase = migration == null ? MigrationPhase.DIRECT : migration.phase();
        ConsistencyPolicy policy = phase.writesBothDatabases() ? migration.policy() : null;
        int slot = phase.ordinal() * PER_PHASE + (policy == null ? 0 : (policy.ordinal() + 1) * PER_POLICY)
                + protocol * StatementClass.COUNT + statementClass;
        Timer timer = timers.get(slot);
        if (timer == null) {
            // Two event loops may race here; the registry hands both the same timer.
            timer = register(phase.configName(), policy == null ? ExodusMeters.POLICY_NONE : policy.configName(),
                    RequestProtocol.ofOrdinal(protocol), StatementClass.ofOrdinal(statementClass));
            timers.set(slot, timer);
        }
        return timer;
    }

    private Timer register(String phase, String policy, RequestProtocol protocol, StatementClass statementClass) {
        return Timer.builder(ExodusMeters.REQUESTS)
                .description("Requests from their last byte sent to the backend until its ReadyForQuery")
                .tags(Tags.of(ExodusMeters.TAG_ENDPOINT, endpoint,
                        ExodusMeters.TAG_PROTOCOL, protocol.tagValue(),
                        ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue(),
                        ExodusMeters.TAG_PHASE, phase,
                        ExodusMeters.TAG_POLICY, policy))
                .publishPercentileHistogram()
                .minimumExpectedValue(FASTEST_REQUEST)
                .maximumExpectedValue(SLOWEST_REQUEST)
                .register(registry);
    }
}
