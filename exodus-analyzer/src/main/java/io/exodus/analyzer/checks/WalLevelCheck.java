package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;

/**
 * Initial sync copies the tables under a logical replication slot's snapshot and catches up from the slot: the source
 * needs {@code wal_level = logical} and room for a slot and a WAL sender (DMS's first checks).
 */
final class WalLevelCheck implements Check {

    @Override
    public String key() {
        return "wal-level";
    }

    @Override
    public String title() {
        return "Logical decoding on the source (initial sync)";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        DatabaseProfile source = profile.source();
        String walLevel = source.setting("wal_level").orElse("unknown");
        long slots = source.numericSetting("max_replication_slots").orElse(0L);
        long senders = source.numericSetting("max_wal_senders").orElse(0L);
        String evidence = "source: wal_level = " + walLevel + ", max_replication_slots = " + slots
                + ", max_wal_senders = " + senders;
        if (walLevel.equals("logical") && slots > 0 && senders > 0) {
            return result(Verdict.PASS, evidence, "None: the initial sync can take a logical replication slot.");
        }
        String how = switch (source.server().flavour()) {
            case RDS, AURORA -> "set rds.logical_replication = 1 in the DB parameter group and reboot";
            case CLOUD_SQL -> "set the flag cloudsql.logical_decoding = on";
            case AZURE -> "set the server parameter wal_level = logical and restart";
            default -> "ALTER SYSTEM SET wal_level = logical (and max_replication_slots, max_wal_senders ≥ 1), "
                    + "then restart the source";
        };
        return result(Verdict.ACTION_REQUIRED, evidence, "Before initial sync, " + how + ". Without logical decoding "
                + "the tables cannot be copied while the application keeps writing.");
    }
}
