package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.MigrationProfile;

/**
 * One readiness check: a pure function of the profile, so that each is tested on a hand-built profile without a
 * server. The set is closed; {@link Checks#ALL} runs them in a fixed order.
 */
public sealed interface Check permits WalLevelCheck, MaxPreparedTransactionsCheck, NoPrimaryKeyCheck,
        NondeterministicDefaultCheck, CollationLibraryCheck, SequenceOverflowCheck, MissingExtensionCheck,
        DeferrableConstraintCheck, LongTransactionsCheck, ReplicationSlotRetentionCheck, PreparedTransactionsCheck,
        LargeObjectsCheck, UnloggedTablesCheck, NondeterministicStatementsCheck, TargetVersionCheck {

    String key();

    String title();

    CheckResult evaluate(MigrationProfile profile);

    default CheckResult result(Verdict verdict, String evidence, String action) {
        return new CheckResult(key(), verdict, title(), evidence, action);
    }
}
