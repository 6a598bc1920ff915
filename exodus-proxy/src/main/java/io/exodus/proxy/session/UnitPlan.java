package io.exodus.proxy.session;

import io.exodus.proxy.protocol.PgMessage;
import io.exodus.proxy.sql.InsertReturning;

import java.util.List;
import java.util.Optional;

/**
 * What the planner decided for one client request.
 *
 * @param messages      the client's messages, the last one a Query, Sync or FunctionCall
 * @param simple        a simple-protocol Query
 * @param statementText the text of the (first writing) statement, for logs and divergence events
 * @param rowImage      for a simple Query: the INSERT runs with {@code RETURNING *} on the primary, so that the
 *                      secondary inserts the very rows the primary produced
 * @param unsupported   for {@link UnitShape#UNSUPPORTED}: why
 */
record UnitPlan(UnitShape shape, List<PgMessage> messages, boolean simple, String statementText,
        Optional<InsertReturning> rowImage, boolean extendedRowImage, String unsupported) {

    /** The same request with the secondary getting the client's own statements instead of row images. */
    UnitPlan withoutRowImage() {
        return new UnitPlan(shape, messages, simple, statementText, Optional.empty(), false, unsupported);
    }

    /** Whether the primary runs an INSERT of this request with an added RETURNING *. */
    boolean usesRowImage() {
        return rowImage.isPresent() || extendedRowImage;
    }

    /** A short form of the statement for a log line: whitespace squeezed, cut at 200 characters. */
    String fingerprint() {
        if (statementText == null) {
            return "(extended-protocol batch)";
        }
        String squeezed = statementText.replaceAll("\\s+", " ").trim();
        return squeezed.length() > 200 ? squeezed.substring(0, 200) + "…" : squeezed;
    }
}
