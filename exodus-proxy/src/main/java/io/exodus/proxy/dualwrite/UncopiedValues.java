package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.CreateTableAs;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.NondeterministicValues;
import io.exodus.proxy.sql.PickedRows;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.sql.TableFromRows;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.PgMessage;

import java.util.Collection;
import java.util.List;

/**
 * Reports the statements of a request that the secondary runs as their text although values in them may be drawn
 * anew there: a nondeterministic function or keyword in the text ({@code now()}, {@code random()}, …) of a statement
 * whose rows Exodus could not copy (an UPDATE of a table without a primary key, one that changes the key), or an INSERT
 * whose rows Exodus could not copy (its batch also opens or ends a transaction, as a whole transaction in libpq's
 * pipeline mode does), whose column defaults then draw their own values. Each is counted and listed for verification.
 */
final class UncopiedValues {
    private UncopiedValues() {
    }

    /**
     * Rows copied into a view that does not show every column of its table: the columns it hides that have a default
     * are drawn by each database on its own (a {@code bigserial} the view leaves out), so the table needs verification.
     */
    static void reportHiddenDefaults(UnitPlan plan, Collection<TableShape> shapes, DualWriteServices dual) {
        for (TableShape shape : shapes) {
            if (!shape.hiddenDefaults().isEmpty()) {
                dual.divergences().nondeterministic(plan.fingerprint(), "it inserts through the view "
                        + shape.qualifiedName() + ", which does not show " + String.join(", ", shape.hiddenDefaults())
                        + " of its table: each database draws their defaults on its own");
            }
        }
    }

    /**
     * @param plan          the request as planned
     * @param secondaryPlan what the secondary gets: {@code plan}, or the same without row images
     * @param imageRefused  why an UPDATE's rows could not be copied, or null
     * @param exactAsText   the statements that had row images run as their text because that is exact
     *                      ({@link CapturedImages#imagesExactAsText}): nothing to report of them
     */
    static void report(UnitPlan plan, UnitPlan secondaryPlan, String imageRefused, boolean exactAsText,
            DualWriteServices dual, ClassificationCache classifications) {
        if (plan.simple()) {
            if (!secondaryPlan.usesRowImage() && !exactAsText && plan.statementText() != null) {
                reportText(plan.statementText(), classifications.classify(plan.statementText()),
                        imageRefused, dual, classifications.volatility());
            } else if (exactAsText && plan.statementText() != null) {
                reportSelectRunAgain(plan.statementText(), dual);
            }
            return;
        }
        List<PgMessage> messages = plan.messages();
        for (int i = 0; i < messages.size(); i++) {
            StatementBook.Statement statement = plan.statementAt(i);
            if (messages.get(i).type() != FrontendMessageType.EXECUTE || statement == null) {
                continue;
            }
            boolean copied = (secondaryPlan.usesRowImage() || exactAsText) && statement.rowImage().isPresent();
            if (copied) {
                if (exactAsText) {
                    reportSelectRunAgain(statement.sql(), dual);
                }
                continue;
            }
            reportText(statement.sql(), statement.classification(), imageRefused, dual, classifications.volatility());
        }
    }

    /**
     * An INSERT run as its text on the secondary because its image would meet a BEFORE trigger there a second time
     * ({@link CapturedImages#imagesExactAsText}): exact, unless it reads other rows (INSERT … SELECT), which it reads
     * there later, as they are then.
     */
    private static void reportSelectRunAgain(String sql, DualWriteServices dual) {
        if (PickedRows.selects(sql)) {
            dual.divergences().nondeterministic(UnitPlan.fingerprintOf(sql), "its SELECT runs again on the target, "
                    + "later, and reads the rows as they are then (a BEFORE trigger of the table keeps its row image "
                    + "from being used)");
        }
    }

    /**
     * A statement the secondary runs as its text: listed when values in it, or its INSERT's defaults, may differ, or
     * the rows it reads (a function of the database's own that reads tables runs there later, as they are then).
     */
    private static void reportText(String sql, Classification classification, String imageRefused,
            DualWriteServices dual, FunctionVolatility volatility) {
        if (classification.kind() == StatementKind.DDL && CreateTableAs.makesNoRows(sql)) {
            return;
        }
        String value = NondeterministicValues.firstIn(sql, classification);
        // A locking read (SELECT … FOR UPDATE SKIP LOCKED) may lock other rows on the secondary, but changes none.
        if (value == null && classification.kind() == StatementKind.WRITE && !classification.locking()) {
            value = PickedRows.why(sql);
        }
        if (value == null && classification.kind() == StatementKind.DDL) {
            value = TableFromRows.why(sql);
        }
        if (value == null && classification.kind() == StatementKind.WRITE && volatility != null) {
            String call = volatility.firstReadingTables(classification.functionCalls());
            value = call == null ? null : call + ", a function of the database's own that reads tables (the target "
                    + "runs it later, and reads their rows as they are then)";
        }
        if (value != null) {
            dual.divergences().nondeterministic(UnitPlan.fingerprintOf(sql), "it uses " + value
                    + (imageRefused == null ? "" : ", and its rows could not be copied: " + imageRefused));
        } else if (NondeterministicValues.inserts(sql)) {
            dual.divergences().nondeterministic(UnitPlan.fingerprintOf(sql), "Exodus could not copy the rows of its "
                    + "INSERT (several statements in one text, a RETURNING list of expressions, a WITH clause, ON "
                    + "CONFLICT DO UPDATE, or a batch that also opens or ends a transaction), so the target ran its "
                    + "text, where column defaults (serial, identity, now(), gen_random_uuid()) draw their own values");
        }
    }
}
