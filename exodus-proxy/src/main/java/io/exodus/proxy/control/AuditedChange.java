package io.exodus.proxy.control;

/** One change of the fleet's state as {@code exodus.control_audit} has it: who made it, from what to what. */
public record AuditedChange(String who, String from, String to, long version) {
}
