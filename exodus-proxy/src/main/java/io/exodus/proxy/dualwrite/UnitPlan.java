package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;

import java.util.ArrayList;
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
 * @param statements    extended protocol: for each message, the prepared statement it parses, binds, describes or
 *                      executes, as it was at that point of the request (an unnamed statement parsed again later in
 *                      the same request is another one); null for other messages, empty for a simple Query
 * @param createsLargeObjects a statement of the request (or its fast-path call) may create a large object, whose
 *                      OID and bytes the secondary gets from the primary ({@link LargeObjectImages})
 */
record UnitPlan(UnitShape shape, List<PgMessage> messages, boolean simple, String statementText,
        Optional<RowImageReturning> rowImage, boolean extendedRowImage, String unsupported,
        List<StatementBook.Statement> statements, boolean createsLargeObjects) {

    /** The same request with the secondary getting the client's own statements instead of row images. */
    UnitPlan withoutRowImage() {
        return new UnitPlan(shape, messages, simple, statementText, Optional.empty(), false, unsupported, statements,
                createsLargeObjects);
    }

    /** A simple Query's plan with another text, which the secondary runs instead of the client's. */
    UnitPlan withText(String text) {
        if (!simple) {
            throw new IllegalStateException("only a simple Query's text can be replaced");
        }
        return new UnitPlan(shape, List.of(FrontendMessages.queryMessage(text)), true, text, rowImage, extendedRowImage,
                unsupported, statements, createsLargeObjects);
    }

    /** The statement the message at this index refers to, or null. */
    StatementBook.Statement statementAt(int index) {
        return index < statements.size() ? statements.get(index) : null;
    }

    /**
     * The texts the request runs: a simple Query's, or those of the statements its Executes run (a statement parsed
     * but not executed runs nothing).
     */
    List<String> executedSql() {
        if (simple) {
            return List.of(statementText);
        }
        List<String> texts = new ArrayList<>(2);
        for (int i = 0; i < messages.size(); i++) {
            StatementBook.Statement statement = statementAt(i);
            if (messages.get(i).type() == FrontendMessageType.EXECUTE && statement != null) {
                texts.add(statement.sql());
            }
        }
        return texts;
    }

    /** Whether the primary runs an INSERT of this request with an added RETURNING *. */
    boolean usesRowImage() {
        return rowImage.isPresent() || extendedRowImage;
    }

    /** A short form of the statement for a log line: whitespace squeezed, cut at 200 characters. */
    String fingerprint() {
        if (statementText == null) {
            PgMessage last = messages.get(messages.size() - 1);
            return last.type() == FrontendMessageType.FUNCTION_CALL
                    ? FastPathCall.of(last).describe() : "(extended-protocol batch)";
        }
        return fingerprintOf(statementText);
    }

    static String fingerprintOf(String sql) {
        String squeezed = sql.replaceAll("\\s+", " ").trim();
        return squeezed.length() > 200 ? squeezed.substring(0, 200) + "…" : squeezed;
    }
}
