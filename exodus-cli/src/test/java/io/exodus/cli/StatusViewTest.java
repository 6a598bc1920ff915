package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code exodus status} for a person: a strategy run is a line of words, not the status's JSON. */
class StatusViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRunningStrategyShowsItsStepAndGates() throws Exception {
        List<String> lines = StatusView.lines(status("""
                {"name": "canary", "state": "running", "steps": ["canary 5 %", "canary 25 %", "cutover"], "step": 1,
                 "gates": {"divergences": 0, "queueDepth": 3, "targetReads": 412, "targetErrorRate": 0.005},
                 "outcome": null, "takenOverFrom": null}"""));
        String strategy = strategyLine(lines);
        assertTrue(strategy.equals("strategy:  canary running, step 2 of 3 (canary 25 %), target reads 412, failed "
                + "0.5 %, queue 3, divergences 0"), strategy);
    }

    @Test
    void anEndedStrategySaysWhyAndWhoTookItOver() throws Exception {
        String strategy = strategyLine(StatusView.lines(status("""
                {"name": "big-bang", "state": "rolled-back", "steps": ["cutover"], "step": 0,
                 "outcome": "the divergences gate failed", "takenOverFrom": "proxy-a"}""")));
        assertTrue(strategy.contains("big-bang rolled-back, step 1 of 1 (cutover)"), strategy);
        assertTrue(strategy.contains("(taken over from replica proxy-a): the divergences gate failed"), strategy);
        assertFalse(strategy.contains("{"), strategy);
    }

    private static JsonNode status(String strategy) throws Exception {
        return JSON.readTree("{\"phase\": \"canary\", \"primary\": \"source\", \"policy\": \"both-required\", "
                + "\"canaryPercent\": 25, \"strategy\": " + strategy + "}");
    }

    private static String strategyLine(List<String> lines) {
        return lines.stream().filter(line -> line.startsWith("strategy:")).findFirst().orElseThrow();
    }
}
