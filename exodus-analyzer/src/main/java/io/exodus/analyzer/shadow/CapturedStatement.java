package io.exodus.analyzer.shadow;

import java.util.List;

/**
 * A statement shape to replay, as the store keeps it.
 *
 * @param text       the normalised text
 * @param calls      captured executions in the replay's window
 * @param executions its most recent executions (those with values first)
 */
public record CapturedStatement(String fingerprint, String text, String statementClass, long calls,
        List<CapturedExecution> executions) {
}
