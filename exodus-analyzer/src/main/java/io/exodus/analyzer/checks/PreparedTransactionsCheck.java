package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.DatabaseProfile.PreparedTransaction;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A prepared transaction nobody resolves holds its locks and its xmin forever. Exodus' own ({@code exodus_…}) are
 * resolved by the proxy's recovery and left out.
 */
final class PreparedTransactionsCheck implements Check {
    private static final String EXODUS_PREFIX = "exodus_";

    @Override
    public String key() {
        return "prepared-transactions";
    }

    @Override
    public String title() {
        return "Prepared transactions left open";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<String> foreign = new ArrayList<>();
        profile.databases().forEach(database -> collect(database, foreign));
        if (foreign.isEmpty()) {
            return result(Verdict.PASS, "no prepared transaction other than Exodus' own", "None.");
        }
        return result(Verdict.WARNING, Evidence.plural(foreign.size(), "prepared transaction", "prepared transactions")
                + ": " + Evidence.sample(foreign), "Resolve them with COMMIT PREPARED or ROLLBACK PREPARED 'gid' "
                + "(ask their owner which): they hold locks and keep vacuum from cleaning up.");
    }

    private static void collect(DatabaseProfile database, List<String> foreign) {
        for (PreparedTransaction transaction : database.preparedTransactions()) {
            if (!transaction.gid().startsWith(EXODUS_PREFIX)) {
                foreign.add(database.role() + " '" + transaction.gid() + "' (" + transaction.owner() + ", prepared "
                        + transaction.ageSeconds() + " s ago)");
            }
        }
    }
}
