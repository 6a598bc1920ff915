package io.exodus.analyzer.recommend;

/**
 * A captured statement the proxy should keep on the source (never a canary read of the target, and its session's
 * reads with it) until its difference is dealt with.
 *
 * @param finding why, as a stable word: {@code nondeterministic} (values drawn on each database); shadow testing
 *                will add its own findings
 */
public record PinnedStatement(String fingerprint, String text, String finding, String reason) {
}
