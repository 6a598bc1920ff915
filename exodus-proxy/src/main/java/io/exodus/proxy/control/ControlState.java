package io.exodus.proxy.control;

/**
 * The state of a fleet as the control database holds it.
 *
 * @param version grows by one with every change: a replica applies a state only if it is newer than what it applied
 */
public record ControlState(String phase, String policy, double canaryPercent, long version, String changedAt,
        String changedBy) {
}
