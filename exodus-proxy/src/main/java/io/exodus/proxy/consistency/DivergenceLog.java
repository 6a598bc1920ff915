package io.exodus.proxy.consistency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where divergences go: a WARN log line with the statement's fingerprint, the {@code exodus.divergence} counter by
 * kind and policy, and the most recent events for the admin API. Statements that could not be made to produce the
 * same values on both sides are counted too ({@code exodus.nondeterministic.statements}).
 */
@Singleton
public class DivergenceLog {
    private static final Logger LOG = Logger.getLogger(DivergenceLog.class);
    private static final int KEPT = 200;

    private final MeterRegistry registry;
    private final Map<Divergence.Kind, Map<ConsistencyPolicy, Counter>> counters = new EnumMap<>(Divergence.Kind.class);
    private final Counter nondeterministic;
    private final ArrayDeque<Divergence> recent = new ArrayDeque<>();

    public DivergenceLog(MeterRegistry registry) {
        this.registry = registry;
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
        LOG.warnf("Values may differ between the databases (%s); the table needs verification: %s", why, fingerprint);
    }

    public List<Divergence> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public double count(Divergence.Kind kind) {
        return counters.get(kind).values().stream().mapToDouble(Counter::count).sum();
    }
}
