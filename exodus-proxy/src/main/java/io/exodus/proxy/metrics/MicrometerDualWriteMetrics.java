package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The dual-write meters. Timers sit in flat arrays indexed by the policy's ordinal and their other tags, registered
 * the first time a combination occurs (as {@link ErrorCounters} does per SQLSTATE class): a policy never used, or a
 * combination that cannot happen in this phase (the source as secondary before cutover), costs no series. The
 * target's connections are a gauge beside the source's ({@code exodus.backend.connections.active}), in phase
 * dual-write only.
 */
final class MicrometerDualWriteMetrics implements DualWriteMetrics {
    private static final ConsistencyPolicy[] POLICIES = ConsistencyPolicy.values();
    private static final CommitOutcome[] OUTCOMES = CommitOutcome.values();
    private static final CommitStep[] STEPS = CommitStep.values();
    /** endpoint × role × outcome of a leg request, as bits: target 4, primary 2, failed 1. */
    private static final int LEG_ENDINGS = 8;
    /** Leg timers per policy: every ending of every statement class. */
    private static final int LEG_COMBINATIONS = StatementClass.COUNT * LEG_ENDINGS;

    private final MeterRegistry registry;
    private static final MigrationPhase[] PHASES = MigrationPhase.values();

    /** The phase of the moment, which tags each request: it changes at run time. */
    private final Supplier<MigrationPhase> phase;
    private final AtomicReferenceArray<Timer> legRequests =
            new AtomicReferenceArray<>(PHASES.length * POLICIES.length * LEG_COMBINATIONS);
    private final AtomicReferenceArray<Timer> commits =
            new AtomicReferenceArray<>(PHASES.length * POLICIES.length * OUTCOMES.length);
    private final AtomicReferenceArray<Timer> commitSteps = new AtomicReferenceArray<>(POLICIES.length * STEPS.length);
    private final Counter[] detached = new Counter[SecondaryDetachment.values().length];
    private final AtomicInteger targetConnections = new AtomicInteger();
    private final Counter canaryReads;

    MicrometerDualWriteMetrics(MeterRegistry registry, Supplier<MigrationPhase> phase) {
        this.registry = registry;
        this.phase = phase;
        canaryReads = Counter.builder(ExodusMeters.CANARY_READS)
                .description("Reads outside transactions that went to the target (phase canary)").register(registry);
        for (SecondaryDetachment reason : SecondaryDetachment.values()) {
            detached[reason.ordinal()] = Counter.builder(ExodusMeters.SECONDARY_DETACHED)
                    .description("Dual-write sessions that stopped using their secondary, by reason")
                    .tag(ExodusMeters.TAG_REASON, reason.tagValue())
                    .register(registry);
        }
        Gauge.builder(ExodusMeters.BACKEND_CONNECTIONS_ACTIVE, targetConnections, AtomicInteger::get)
                .description("Backend sessions open on behalf of clients")
                .tag(ExodusMeters.TAG_ENDPOINT, ExodusMeters.ENDPOINT_TARGET)
                .register(registry);
    }

    @Override
    public boolean classifiesStatements() {
        return true;
    }

    @Override
    public void legRequest(ConsistencyPolicy policy, StatementClass statementClass, boolean target, boolean primary,
            long startedNanos, boolean failed) {
        MigrationPhase now = phase.get();
        int slot = (now.ordinal() * POLICIES.length + policy.ordinal()) * LEG_COMBINATIONS
                + statementClass.ordinal() * LEG_ENDINGS + (target ? 4 : 0) + (primary ? 2 : 0) + (failed ? 1 : 0);
        Timer timer = legRequests.get(slot);
        if (timer == null) {
            // Two event loops may race here; the registry hands both the same timer.
            timer = legTimer(now, policy, statementClass, target, primary, failed);
            legRequests.set(slot, timer);
        }
        timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void commit(ConsistencyPolicy policy, CommitOutcome outcome, long startedNanos) {
        MigrationPhase now = phase.get();
        int slot = (now.ordinal() * POLICIES.length + policy.ordinal()) * OUTCOMES.length + outcome.ordinal();
        Timer timer = commits.get(slot);
        if (timer == null) {
            timer = commitTimer(now, policy, outcome);
            commits.set(slot, timer);
        }
        timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void commitStep(ConsistencyPolicy policy, CommitStep step, long startedNanos) {
        int slot = policy.ordinal() * STEPS.length + step.ordinal();
        Timer timer = commitSteps.get(slot);
        if (timer == null) {
            timer = Timer.builder(ExodusMeters.COMMIT_STEPS)
                    .description("Steps of the time a transaction that wrote on both databases holds its rows locked "
                            + "on the primary, from its last write until the primary's COMMIT answered")
                    .tags(Tags.of(ExodusMeters.TAG_POLICY, policy.configName(), ExodusMeters.TAG_STEP,
                            step.tagValue()))
                    .register(registry);
            commitSteps.set(slot, timer);
        }
        timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void canaryRead() {
        canaryReads.increment();
    }

    @Override
    public void secondaryDetached(SecondaryDetachment reason) {
        detached[reason.ordinal()].increment();
    }

    @Override
    public void targetConnectionOpened() {
        targetConnections.incrementAndGet();
    }

    @Override
    public void targetConnectionClosed() {
        targetConnections.decrementAndGet();
    }

    private Timer legTimer(MigrationPhase phase, ConsistencyPolicy policy, StatementClass statementClass, boolean target, boolean primary,
            boolean failed) {
        return Timer.builder(ExodusMeters.LEG_REQUESTS)
                .description("Requests on one leg of a dual-write session, from their write to the leg until its "
                        + "last ReadyForQuery")
                .tags(Tags.of(
                        ExodusMeters.TAG_ENDPOINT, target ? ExodusMeters.ENDPOINT_TARGET : ExodusMeters.ENDPOINT_SOURCE,
                        ExodusMeters.TAG_ROLE, primary ? ExodusMeters.ROLE_PRIMARY : ExodusMeters.ROLE_SECONDARY,
                        ExodusMeters.TAG_OUTCOME, failed ? ExodusMeters.OUTCOME_ERROR : ExodusMeters.OUTCOME_OK,
                        ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue(),
                        ExodusMeters.TAG_PHASE, phase.configName(),
                        ExodusMeters.TAG_POLICY, policy.configName()))
                .publishPercentileHistogram()
                .minimumExpectedValue(RequestTimers.FASTEST_REQUEST)
                .maximumExpectedValue(RequestTimers.SLOWEST_REQUEST)
                .register(registry);
    }

    private Timer commitTimer(MigrationPhase phase, ConsistencyPolicy policy, CommitOutcome outcome) {
        return Timer.builder(ExodusMeters.COMMITS)
                .description("Commits of transactions that wrote on both databases, until the client's outcome "
                        + "is decided")
                .tags(Tags.of(ExodusMeters.TAG_POLICY, policy.configName(),
                        ExodusMeters.TAG_OUTCOME, outcome.tagValue(),
                        ExodusMeters.TAG_PHASE, phase.configName()))
                .publishPercentileHistogram()
                .minimumExpectedValue(RequestTimers.FASTEST_REQUEST)
                .maximumExpectedValue(RequestTimers.SLOWEST_REQUEST)
                .register(registry);
    }
}
