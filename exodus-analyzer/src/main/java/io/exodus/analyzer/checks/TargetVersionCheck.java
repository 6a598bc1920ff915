package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;

/**
 * A target of an older major version than the source may not load the source's schema (pg_dump of a newer server is
 * not meant for an older one); Exodus is tested on PostgreSQL 13 to 17.
 */
final class TargetVersionCheck implements Check {
    static final int OLDEST_TESTED = 13;
    static final int NEWEST_TESTED = 17;

    @Override
    public String key() {
        return "target-version";
    }

    @Override
    public String title() {
        return "PostgreSQL versions";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        DatabaseProfile.Server source = profile.source().server();
        if (profile.target() == null) {
            return result(Verdict.WARNING, "source " + source.version() + "; " + Evidence.NO_TARGET,
                    "Choose a target of major version " + source.majorVersion() + " or newer.");
        }
        DatabaseProfile.Server target = profile.target().server();
        String evidence = "source " + source.version() + " (" + source.flavour().displayName() + "), target "
                + target.version() + " (" + target.flavour().displayName() + ")";
        if (target.majorVersion() < source.majorVersion()) {
            return result(Verdict.BLOCKER, evidence, "Choose a target of major version " + source.majorVersion()
                    + " or newer: moving to an older major version is not supported.");
        }
        for (int major : new int[] {source.majorVersion(), target.majorVersion()}) {
            if (major < OLDEST_TESTED || major > NEWEST_TESTED) {
                return result(Verdict.WARNING, evidence, "Exodus is tested with PostgreSQL " + OLDEST_TESTED + " to "
                        + NEWEST_TESTED + "; run a shadow test of your workload before relying on it.");
            }
        }
        return result(Verdict.PASS, evidence, "None.");
    }
}
