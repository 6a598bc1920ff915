package io.exodus.proxy.session;

import io.exodus.proxy.protocol.FrontendMessageType;
import io.exodus.proxy.protocol.PgMessage;
import io.exodus.proxy.sql.NondeterministicValues;

import java.util.List;

/**
 * Reports the statements of a request that the secondary runs as their text although values in them may be drawn
 * anew there: a nondeterministic function or keyword in the text ({@code now()}, {@code random()}, …), or an INSERT
 * whose rows Exodus could not copy (its batch also opens or ends a transaction, as a whole transaction in libpq's
 * pipeline mode does), whose column defaults then draw their own values. Each is counted and listed for verification.
 */
final class UncopiedValues {
    private UncopiedValues() {
    }

    /**
     * @param plan          the request as planned
     * @param secondaryPlan what the secondary gets: {@code plan}, or the same without row images
     */
    static void report(UnitPlan plan, UnitPlan secondaryPlan, DualWriteServices dual) {
        if (plan.simple()) {
            if (!secondaryPlan.usesRowImage() && plan.statementText() != null) {
                String value = NondeterministicValues.firstIn(plan.statementText(),
                        dual.classifications().classify(plan.statementText()));
                if (value != null) {
                    dual.divergences().nondeterministic(plan.fingerprint(), "it uses " + value);
                }
            }
            return;
        }
        List<PgMessage> messages = plan.messages();
        for (int i = 0; i < messages.size(); i++) {
            StatementBook.Statement statement = plan.statementAt(i);
            if (messages.get(i).type() != FrontendMessageType.EXECUTE || statement == null) {
                continue;
            }
            boolean copied = secondaryPlan.usesRowImage() && statement.rowImage().isPresent();
            if (copied) {
                continue;
            }
            String value = NondeterministicValues.firstIn(statement.sql(), statement.classification());
            // A plan that meant to copy and could not (too many rows) has said so already.
            boolean neverMeantToCopy = !plan.usesRowImage();
            if (value != null) {
                dual.divergences().nondeterministic(UnitPlan.fingerprintOf(statement.sql()), "it uses " + value);
            } else if (statement.rowImage().isPresent() && neverMeantToCopy) {
                dual.divergences().nondeterministic(UnitPlan.fingerprintOf(statement.sql()), "Exodus could not copy "
                        + "its rows (its batch also opens or ends a transaction, as in libpq's pipeline mode), so the "
                        + "target ran its text, where column defaults draw their own values");
            }
        }
    }
}
