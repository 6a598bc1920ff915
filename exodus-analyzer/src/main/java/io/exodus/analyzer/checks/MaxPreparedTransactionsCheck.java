package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;

/**
 * The two-phase-commit policy prepares every transaction on both databases; PostgreSQL's default
 * {@code max_prepared_transactions = 0} refuses PREPARE TRANSACTION, and changing it needs a restart.
 */
final class MaxPreparedTransactionsCheck implements Check {

    @Override
    public String key() {
        return "max-prepared-transactions";
    }

    @Override
    public String title() {
        return "Two-phase commit available on both databases";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<String> zero = new ArrayList<>();
        StringBuilder evidence = new StringBuilder();
        describe(profile.source(), evidence, zero);
        profile.targetProfile().ifPresentOrElse(target -> describe(target, evidence, zero),
                () -> evidence.append("; ").append(Evidence.NO_TARGET));
        if (!zero.isEmpty()) {
            return result(Verdict.ACTION_REQUIRED, evidence.toString(), "Policy two-phase-commit is unavailable (the "
                    + "proxy refuses it at start-up). To use it, set max_prepared_transactions on the " + String.join(
                    " and the ", zero) + " to at least its max_connections and restart; otherwise use both-required.");
        }
        if (profile.target() == null) {
            return result(Verdict.WARNING, evidence.toString(), "Check max_prepared_transactions on the target before "
                    + "choosing policy two-phase-commit.");
        }
        return result(Verdict.PASS, evidence.toString(), "None: policy two-phase-commit is possible.");
    }

    private static void describe(DatabaseProfile database, StringBuilder evidence, List<String> zero) {
        long value = database.numericSetting("max_prepared_transactions").orElse(0L);
        if (!evidence.isEmpty()) {
            evidence.append("; ");
        }
        evidence.append(database.role()).append(": max_prepared_transactions = ").append(value);
        if (value == 0) {
            zero.add(database.role());
        }
    }
}
