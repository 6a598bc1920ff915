package io.exodus.proxy.strategy;

/**
 * The health gates as a step last read them.
 *
 * @param divergences     divergences counted since the step began
 * @param queueDepth      transactions waiting in the replay queue
 * @param targetReads     reads the target answered in the step
 * @param targetErrorRate their share that failed (0 to 1)
 * @param sourceErrorRate the same for the source, the yardstick
 * @param latencyRatio    the target's mean read time over the source's; null until both answered enough reads
 * @param shadowCompared  reads compared on both databases in the step (a shadow step; 0 in the others)
 * @param shadowMismatches those whose answers differed
 * @param failure         why the step fails, or null while it is healthy
 */
public record GateReading(double divergences, long queueDepth, long targetReads, double targetErrorRate,
        double sourceErrorRate, Double latencyRatio, long shadowCompared, long shadowMismatches, String failure) {
}
