package io.exodus.analyzer.shadow;

import java.util.List;

/**
 * A statement shape to replay, as the store keeps it.
 *
 * @param text       the normalised text
 * @param calls      captured executions in the replay's window
 * @param parameters the values of its most recent executions (those with values first), one list per execution;
 *                   a null list for an execution captured without values
 */
public record CapturedStatement(String fingerprint, String text, String statementClass, long calls,
        List<List<String>> parameters) {
}
