package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/** Every check, in the order {@code GET /analyzer/checks} lists them (the report orders them by verdict). */
public final class Checks {
    public static final List<Check> ALL = List.of(new WalLevelCheck(), new MaxPreparedTransactionsCheck(),
            new NoPrimaryKeyCheck(), new NondeterministicDefaultCheck(), new CollationLibraryCheck(),
            new SequenceOverflowCheck(), new MissingExtensionCheck(), new DeferrableConstraintCheck(),
            new LongTransactionsCheck(), new ReplicationSlotRetentionCheck(), new PreparedTransactionsCheck(),
            new LargeObjectsCheck(), new UnloggedTablesCheck(), new NondeterministicStatementsCheck(),
            new TargetVersionCheck());

    private Checks() {
    }

    public static List<CheckResult> evaluate(MigrationProfile profile) {
        return ALL.stream().map(check -> check.evaluate(profile)).toList();
    }
}
