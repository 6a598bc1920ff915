package io.exodus.proxy.consistency;

import io.exodus.proxy.metrics.MetricsConfig;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where divergences go: a WARN log line with the statement's fingerprint, the {@code exodus.divergence} counter by
 * kind and policy, and the most recent events for the admin API. Statements that could not be made to produce the
 * same values on both sides are counted too ({@code exodus.nondeterministic.statements}).
 */
@Singleton
public class DivergenceLog {
    private static final Logger LOG = Logger.getLogger(DivergenceLog.class);
    private static final int KEPT = 200;

    private final Map<Divergence.Kind, Map<ConsistencyPolicy, Counter>> counters = new EnumMap<>(Divergence.Kind.class);
    private final Counter nondeterministic;
    private final ArrayDeque<Divergence> recent = new ArrayDeque<>();
    private final Set<String> needVerification = new LinkedHashSet<>();

    public DivergenceLog(MeterRegistry exported, MetricsConfig metrics) {
        // With metrics off nothing is exported, but the admin API still reports the counts.
        MeterRegistry registry = metrics.enabled() ? exported : new SimpleMeterRegistry();
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            Map<ConsistencyPolicy, Counter> byPolicy = new EnumMap<>(ConsistencyPolicy.class);
            for (ConsistencyPolicy policy : ConsistencyPolicy.values()) {
                byPolicy.put(policy, Counter.builder("exodus.divergence")
                        .description("Statements or transactions whose effect on the secondary differs from the primary's")
                        .tag("kind", kind.tag()).tag("policy", policy.configName()).register(registry));
            }
            counters.put(kind, byPolicy);
        }
        nondeterministic = Counter.builder("exodus.nondeterministic.statements")
                .description("Writes whose values Exodus could not make identical on both databases").register(registry);
    }

    public void record(Divergence.Kind kind, ConsistencyPolicy policy, String fingerprint, String primary,
            String secondary) {
        Divergence divergence = new Divergence(Instant.now(), kind, policy, fingerprint, primary, secondary);
        counters.get(kind).get(policy).increment();
        LOG.warnf("Divergence (%s, policy %s): primary answered [%s], secondary [%s] for: %s", kind.tag(),
                policy.configName(), primary, secondary, fingerprint);
        synchronized (recent) {
            recent.addFirst(divergence);
            if (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
    }

    public void nondeterministic(String fingerprint, String why) {
        nondeterministic.increment();
        boolean first;
        synchronized (needVerification) {
            first = needVerification.size() < KEPT && needVerification.add(fingerprint);
        }
        // One line per statement text, not per execution: a hot UPDATE … SET at = now() would flood the log.
        if (first) {
            LOG.warnf("Values may differ between the databases (%s); its table needs verification: %s", why,
                    fingerprint);
        }
    }

    /** Statements whose values may differ between the databases: their tables need verification. */
    public List<String> needingVerification() {
        synchronized (needVerification) {
            return new ArrayList<>(needVerification);
        }
    }

    public List<Divergence> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public double count(Divergence.Kind kind) {
        return counters.get(kind).values().stream().mapToDouble(Counter::count).sum();
    }

    /** Every divergence recorded so far, all kinds summed. */
    public double total() {
        double total = 0;
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            total += count(kind);
        }
        return total;
    }
}
