package io.exodus.proxy.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.metrics.ReadsBySide;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a step's gates count over the fleet: each replica's counts since the step began, summed. */
class FleetCountersTest {
    private static ReplicaCounters counted(double divergences, long sourceReads, long targetReads, long targetFailed,
            long compared, long mismatched) {
        return new ReplicaCounters(divergences, new ReadsBySide.Tally(sourceReads, 0, sourceReads * 1_000_000),
                new ReadsBySide.Tally(targetReads, targetFailed, targetReads * 2_000_000), compared, mismatched);
    }

    @Test
    void eachReplicasCountsSinceTheStepBeganAreSummed() {
        Map<String, ReplicaCounters> began = Map.of("a", counted(1, 100, 50, 0, 10, 0), "b", counted(0, 40, 20, 1, 5, 0));
        Map<String, ReplicaCounters> now = Map.of("a", counted(1, 130, 70, 0, 10, 0), "b", counted(2, 60, 45, 4, 25, 3));
        ReplicaCounters step = FleetCounters.since(now, began);
        assertEquals(2, step.divergences());
        assertEquals(50, step.source().reads());
        assertEquals(45, step.target().reads());
        assertEquals(3, step.target().failed());
        assertEquals(20, step.shadowCompared());
        assertEquals(3, step.shadowMismatches(), "b's mismatches fail a step a runs");
    }

    @Test
    void aReplicaThatJoinedOrRestartedCountsWhole() {
        Map<String, ReplicaCounters> began = Map.of("a", counted(0, 100, 50, 0, 10, 0), "b", counted(0, 500, 500, 0,
                90, 0));
        // b restarted under the same id: its counters start from zero again; c joined during the step.
        Map<String, ReplicaCounters> now = Map.of("a", counted(0, 100, 50, 0, 10, 0), "b", counted(1, 7, 3, 0, 2, 1),
                "c", counted(0, 4, 4, 0, 1, 0));
        ReplicaCounters step = FleetCounters.since(now, began);
        assertEquals(1, step.divergences());
        assertEquals(11, step.source().reads());
        assertEquals(7, step.target().reads());
        assertEquals(3, step.shadowCompared());
        assertEquals(1, step.shadowMismatches());
    }

    @Test
    void theCountersTravelAsJsonInTheHeartbeat() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ReplicaCounters sent = counted(2, 10, 20, 3, 40, 5);
        assertEquals(sent, json.readValue(json.writeValueAsString(sent), ReplicaCounters.class));
    }

    @Test
    void aReplicaGoneSinceTheStepBeganAddsNothing() {
        Map<String, ReplicaCounters> began = Map.of("a", counted(0, 100, 50, 0, 10, 0), "b", counted(3, 10, 10, 0,
                0, 0));
        ReplicaCounters step = FleetCounters.since(Map.of("a", counted(0, 110, 55, 0, 10, 0)), began);
        assertEquals(0, step.divergences());
        assertEquals(10, step.source().reads());
        assertEquals(5, step.target().reads());
    }
}
