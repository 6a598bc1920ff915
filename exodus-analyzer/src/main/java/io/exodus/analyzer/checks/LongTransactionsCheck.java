package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.DatabaseProfile.OpenTransaction;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Cutover waits for the transactions in flight before it flips; one that stays open (an idle-in-transaction session,
 * a long report) stalls it until its timeout, and holds back vacuum and the slot's WAL meanwhile.
 */
final class LongTransactionsCheck implements Check {

    @Override
    public String key() {
        return "long-transactions";
    }

    @Override
    public String title() {
        return "Long-running transactions";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<String> open = new ArrayList<>();
        profile.databases().forEach(database -> collect(database, open));
        if (open.isEmpty()) {
            return result(Verdict.PASS, "no transaction open longer than exodus.analyzer.long-transaction",
                    "None: nothing would stall a cutover now.");
        }
        return result(Verdict.WARNING, Evidence.plural(open.size(), "long transaction", "long transactions") + ": "
                + Evidence.sample(open), "End them (pg_terminate_backend) or let them finish before the cutover "
                + "window, which waits for transactions in flight; set idle_in_transaction_session_timeout so that "
                + "abandoned sessions do not come back.");
    }

    private static void collect(DatabaseProfile database, List<String> open) {
        for (OpenTransaction transaction : database.longTransactions()) {
            open.add(database.role() + " pid " + transaction.pid() + " (" + transaction.user() + ", "
                    + transaction.state() + ", open " + transaction.ageSeconds() + " s: " + transaction.query() + ")");
        }
    }
}
