package io.exodus.proxy.traffic;

/** A phase change as the durable record of the fleet's state has it: who made it, from which phase to which. */
public record PhaseChange(String who, String from, String to) {
}
