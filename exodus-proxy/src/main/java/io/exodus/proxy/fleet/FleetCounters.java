package io.exodus.proxy.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.HeartbeatReport;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.shadow.ShadowReads;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The health gates' counters of every replica of the fleet: this replica's as they are now, the others' as their last
 * heartbeat reported them (at most a heartbeat interval old). A strategy's gates, and the cutover's error-rate gate,
 * judge the fleet's reads, divergences and shadow mismatches, not only those of the replica that judges
 * (docs/adr/0043).
 */
@ApplicationScoped
public class FleetCounters implements HeartbeatReport {
    private static final Logger LOG = Logger.getLogger(FleetCounters.class);
    private final DivergenceLog divergences;
    private final ReadsBySide reads;
    private final ShadowReads shadow;
    private final ControlPlane control;
    private final ObjectMapper json;

    public FleetCounters(DivergenceLog divergences, ReadsBySide reads, ShadowReads shadow, ControlPlane control,
            ObjectMapper json) {
        this.divergences = divergences;
        this.reads = reads;
        this.shadow = shadow;
        this.control = control;
        this.json = json;
    }

    public ReplicaCounters local() {
        return new ReplicaCounters(divergences.total(), reads.tally(Side.SOURCE), reads.tally(Side.TARGET),
                shadow.compared(), shadow.mismatches());
    }

    @Override
    public String counters() {
        try {
            return json.writeValueAsString(local());
        } catch (IOException e) {
            return null;
        }
    }

    /** Each replica's counters by its id; this replica's alone when the control plane is off. */
    public Future<Map<String, ReplicaCounters>> fleet() {
        if (!control.enabled()) {
            return Future.succeededFuture(Map.of(control.replicaId(), local()));
        }
        return control.reportedCounters().map(reported -> {
            Map<String, ReplicaCounters> counters = new HashMap<>();
            reported.forEach((replica, text) -> {
                try {
                    counters.put(replica, json.readValue(text, ReplicaCounters.class));
                } catch (IOException e) {
                    LOG.debugf("The counters replica %s reported cannot be read (%s): left out", replica,
                            e.getMessage());
                }
            });
            counters.put(control.replicaId(), local());
            return counters;
        });
    }

    /** What the fleet counted after {@code earlier} (by replica, as {@link #fleet} answered it then). */
    public static ReplicaCounters since(Map<String, ReplicaCounters> now, Map<String, ReplicaCounters> earlier) {
        ReplicaCounters sum = ReplicaCounters.ZERO;
        for (Map.Entry<String, ReplicaCounters> replica : now.entrySet()) {
            sum = sum.plus(replica.getValue().since(earlier.get(replica.getKey())));
        }
        return sum;
    }
}
