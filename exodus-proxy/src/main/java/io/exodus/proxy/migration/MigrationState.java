package io.exodus.proxy.migration;

import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.SqlStatements;
import io.exodus.proxy.config.ExodusConfig;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The migration's phase and consistency policy as this proxy sees them now. Both can change while the proxy runs: a
 * session reads the policy when a transaction starts, so a change applies to new transactions only; a session follows
 * a phase change between two of its transactions (its relay changes then), a new session starts in the new phase.
 */
@Singleton
public class MigrationState {
    private static final Logger LOG = Logger.getLogger(MigrationState.class);

    private volatile MigrationPhase phase;
    private final List<Consumer<MigrationPhase>> phaseListeners = new CopyOnWriteArrayList<>();
    private volatile ConsistencyPolicy policy;
    private volatile double canaryPercent;
    private volatile MigrationDatabases databases;
    private final List<Runnable> databasesListeners = new CopyOnWriteArrayList<>();
    private final TenantKey tenantKey;
    private final LongTransactions longTransactions;
    private volatile TenantReads tenantReads = TenantReads.NONE;
    /** Whether reads are shadowed on the secondary: a strategy's shadow step, for the whole fleet. */
    private volatile boolean shadowing;
    private volatile AnalyzerRecommendations recommendations;
    /** Fingerprints of the statements the analyzer pins to the source; empty until it recommends some. */
    private volatile Set<String> pinned = Set.of();
    private final StateLease lease;
    private volatile StateConfirmer confirmer = StateConfirmer.NONE;

    public MigrationState(ExodusConfig config) {
        this.phase = MigrationPhase.fromConfig(config.migration().phase());
        this.policy = ConsistencyPolicy.fromConfig(config.migration().policy());
        this.canaryPercent = checkedPercent(config.migration().canaryPercent());
        this.databases = MigrationDatabases.of(config.migration().databases().orElse(List.of()));
        this.tenantKey = TenantKey.fromConfig(config.migration().tenantKey());
        this.longTransactions = LongTransactions.fromConfig(config.migration().cutover().longTransactions());
        this.lease = config.control().enabled()
                ? StateLease.unconfirmed(config.control().staleAfter(), System.nanoTime()) : StateLease.unbounded();
    }

    /** How long this replica may act on its state without hearing from the fleet; the control plane confirms it. */
    public StateLease lease() {
        return lease;
    }

    /** The control plane, which can confirm the lease on demand. */
    public void confirmWith(StateConfirmer confirmer) {
        this.confirmer = confirmer;
    }

    /** Asks the fleet now whether its state is still this replica's (docs/adr/0032, "Confirmation on demand"). */
    public StateConfirmer confirmer() {
        return confirmer;
    }

    /**
     * Whether a write must be refused now: this replica cannot vouch that its state is still the fleet's, and a newer
     * state could route the write differently.
     */
    public boolean refusesWrites() {
        return lease.stale(System.nanoTime()) && !phase.writeRoutingFinal();
    }

    /** The share of reads outside transactions that go to the target: 0 outside phase canary. */
    public double canaryPercent() {
        return phase == MigrationPhase.CANARY ? canaryPercent : 0;
    }

    /**
     * The share of this tenant's reads outside transactions that go to the target: its own share when it has one
     * (the user-by-user strategy), the fleet's otherwise; 0 outside phase canary.
     */
    public double canaryPercent(String tenant) {
        if (phase != MigrationPhase.CANARY) {
            return 0;
        }
        return tenantReads.shareOf(tenant).orElse(canaryPercent);
    }

    /** What a move of the primary does with transactions still open after its wait (as configured). */
    public LongTransactions longTransactions() {
        return longTransactions;
    }

    /** What names a session's tenant. */
    public TenantKey tenantKey() {
        return tenantKey;
    }

    /** The tenants with a share of their own. */
    public TenantReads tenantReads() {
        return tenantReads;
    }

    public void changeTenantReads(TenantReads shares) {
        TenantReads old = tenantReads;
        tenantReads = shares;
        if (!old.equals(shares)) {
            LOG.infof("Tenants' shares of reads on the target changed from %s to %s (by %s)", old.json(),
                    shares.json(), tenantKey.configName());
        }
    }

    /** Whether sessions shadow reads on the secondary now (a strategy's shadow step). */
    public boolean shadowing() {
        return shadowing;
    }

    public void changeShadowing(boolean on) {
        boolean old = shadowing;
        shadowing = on;
        if (old != on) {
            LOG.infof("Shadow reads %s", on ? "started: reads also run on the secondary, their answers compared"
                    : "stopped");
        }
    }

    /** The share of reads phase canary sends to the target, whatever the phase now. */
    public double configuredCanaryPercent() {
        return canaryPercent;
    }

    public void changeCanaryPercent(double percent) {
        double old = canaryPercent;
        canaryPercent = checkedPercent(percent);
        if (old != canaryPercent) {
            LOG.infof("Canary reads changed from %.1f %% to %.1f %% of reads outside transactions", old, canaryPercent);
        }
    }

    private static double checkedPercent(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("exodus.migration.canary-percent must be between 0 and 100, not "
                    + percent);
        }
        return percent;
    }

    public MigrationPhase phase() {
        return phase;
    }

    /**
     * Moves the migration to {@code newPhase}; those who listen (the open sessions) are told. The caller checks that
     * the proxy can serve the phase (a target for dual-write).
     */
    public void changePhase(MigrationPhase newPhase) {
        MigrationPhase old = phase;
        phase = newPhase;
        if (old != newPhase) {
            LOG.infof("Migration phase changed from %s to %s: new sessions start in it, open ones follow between "
                    + "transactions", old.configName(), newPhase.configName());
            phaseListeners.forEach(listener -> listener.accept(newPhase));
        }
    }

    /** The databases the migration moves; sessions on others are relayed to the source alone. */
    public MigrationDatabases databases() {
        return databases;
    }

    /**
     * Narrows or widens the databases the migration moves: open sessions re-route between transactions, as after a
     * phase change. The caller makes it under a pause when the phase mirrors writes (a session would start or stop
     * mirroring).
     */
    public void changeDatabases(MigrationDatabases newDatabases) {
        MigrationDatabases old = databases;
        databases = newDatabases;
        if (!old.equals(newDatabases)) {
            LOG.infof("The migration's databases changed from %s to %s: sessions on any other database are relayed "
                    + "to the source alone", old, newDatabases);
            databasesListeners.forEach(Runnable::run);
        }
    }

    /** Tells {@code listener} of every change of the migration's databases from now on. */
    public void onDatabasesChange(Runnable listener) {
        databasesListeners.add(listener);
    }

    /** Tells {@code listener} of every phase change from now on. */
    public void onPhaseChange(Consumer<MigrationPhase> listener) {
        phaseListeners.add(listener);
    }

    public ConsistencyPolicy policy() {
        return policy;
    }

    public void changePolicy(ConsistencyPolicy newPolicy) {
        ConsistencyPolicy old = policy;
        policy = newPolicy;
        if (old != newPolicy) {
            LOG.infof("Consistency policy changed from %s to %s for new transactions", old.configName(),
                    newPolicy.configName());
        }
    }

    /** The analyzer's last recommendations, once pulled ({@code exodus.capture.analyzer-url}). */
    public Optional<AnalyzerRecommendations> recommendations() {
        return Optional.ofNullable(recommendations);
    }

    /** Takes the analyzer's recommendations: its pinned statements apply from now on, the rest is shown. */
    public void applyRecommendations(AnalyzerRecommendations latest) {
        Set<String> fingerprints = latest.pinnedStatements().stream()
                .map(AnalyzerRecommendations.PinnedStatement::fingerprint).filter(f -> f != null)
                .collect(Collectors.toUnmodifiableSet());
        if (!fingerprints.equals(pinned)) {
            LOG.infof("Statements pinned to the source by the analyzer: %d (%s)", fingerprints.size(),
                    String.join(", ", fingerprints));
        }
        recommendations = latest;
        pinned = fingerprints;
    }

    /**
     * Whether the analyzer pins one of the statements of this SQL text to the source (by the fingerprint both sides
     * compute with {@link SqlNormalizer}): phase canary then leaves it on the source. Costs nothing while nothing is
     * pinned.
     */
    public boolean keepsOnSource(String sql) {
        Set<String> fingerprints = pinned;
        if (fingerprints.isEmpty() || sql == null) {
            return false;
        }
        if (sql.indexOf(';') < 0) {
            return fingerprints.contains(SqlNormalizer.fingerprint(sql));
        }
        for (String statement : SqlStatements.split(sql)) {
            if (fingerprints.contains(SqlNormalizer.fingerprint(statement))) {
                return true;
            }
        }
        return false;
    }
}
