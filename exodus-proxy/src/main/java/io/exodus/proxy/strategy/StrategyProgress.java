package io.exodus.proxy.strategy;

import java.time.Instant;
import java.util.List;

/**
 * A strategy's run as {@code GET /exodus/migration} shows it, under {@code "strategy"}.
 *
 * @param name      the strategy
 * @param state     {@code running}, {@code done}, {@code rolled-back} (a gate failed, the source is the primary
 *                  again), {@code failed} (a gate failed and the rollback was refused: the answer says why),
 *                  {@code stopped} (by an operator), {@code handed-over} (another replica took the run over, having
 *                  found this one not live: that replica's status shows it)
 * @param steps     the plan, in order
 * @param step      the index in {@code steps} of the step running (or where the run ended)
 * @param gates     the health gates as the step last read them; null before the first reading
 * @param outcome   why the run ended; null while it runs
 * @param startedBy who started it (the X-Exodus-Actor header)
 * @param replica   the replica that runs it: with the control plane on, one run at a time for the whole fleet, shown
 *                  by every replica as of its last step
 * @param takenOverFrom the replica that ran it before this one took it over, having found it no longer live; null
 *                  while the replica that started it runs it
 */
public record StrategyProgress(String name, String state, List<String> steps, int step, Instant startedAt,
        Instant stepStartedAt, Instant endedAt, GateReading gates, String outcome, String startedBy, String replica,
        String takenOverFrom) {

    public boolean running() {
        return state.equals("running") || state.equals("rolling-back");
    }
}
