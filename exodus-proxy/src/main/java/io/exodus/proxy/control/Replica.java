package io.exodus.proxy.control;

/**
 * A replica of the fleet as its last heartbeat reported it.
 *
 * @param version the version of the control state it applied
 * @param live    whether it was seen within three heartbeat intervals
 */
public record Replica(String id, String phase, String policy, long version, String lastSeen, boolean live) {
}
