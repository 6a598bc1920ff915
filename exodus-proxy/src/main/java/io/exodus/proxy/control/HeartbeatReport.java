package io.exodus.proxy.control;

/**
 * What a replica reports with each heartbeat besides the state it applied: its counters (JSON), which the replica that
 * runs the fleet's strategy sums over the fleet for its health gates ({@link ControlPlane#reportedCounters}).
 */
public interface HeartbeatReport {
    /** This replica's counters now, as JSON; null reports none. */
    String counters();
}
