package io.exodus.analyzer.shadow;

/**
 * One captured execution replayed three times: on the source, on the target, and on the source again. What differs
 * between the two source runs is noise (clocks, random draws, ties in an order), never a finding.
 */
public record Execution(String sql, Outcome source, Outcome target, Outcome baseline) {
}
