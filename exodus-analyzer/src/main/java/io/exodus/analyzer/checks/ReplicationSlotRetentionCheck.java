package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.DatabaseProfile.ReplicationSlot;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A replication slot keeps WAL until its consumer confirms it: an abandoned slot fills the disk, and a busy one adds
 * to what a migration's own slot will need.
 */
final class ReplicationSlotRetentionCheck implements Check {
    static final long LARGE_RETENTION_BYTES = 1L << 30;

    @Override
    public String key() {
        return "replication-slot-retention";
    }

    @Override
    public String title() {
        return "WAL kept by replication slots";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<String> inactive = new ArrayList<>();
        List<String> large = new ArrayList<>();
        int slots = profile.databases().stream().mapToInt(database -> collect(database, inactive, large)).sum();
        if (!inactive.isEmpty()) {
            return result(Verdict.ACTION_REQUIRED, "inactive slots: " + Evidence.sample(inactive)
                    + (large.isEmpty() ? "" : "; large: " + Evidence.sample(large)), "Drop the slots nobody consumes "
                    + "(SELECT pg_drop_replication_slot('name')): they keep WAL without bound. Set "
                    + "max_slot_wal_keep_size so that a forgotten slot cannot fill the disk.");
        }
        if (!large.isEmpty()) {
            return result(Verdict.WARNING, "slots keeping more than 1 GiB of WAL: " + Evidence.sample(large),
                    "Make sure their consumers keep up; the migration's own slot will keep WAL too during initial sync.");
        }
        return result(Verdict.PASS, Evidence.plural(slots, "replication slot", "replication slots")
                + ", none inactive or keeping more than 1 GiB of WAL", "None.");
    }

    private static int collect(DatabaseProfile database, List<String> inactive, List<String> large) {
        for (ReplicationSlot slot : database.replicationSlots()) {
            String described = database.role() + " " + slot.name() + " (" + slot.type() + ", keeps "
                    + (slot.retainedBytes() == null ? "no" : slot.retainedBytes() / (1024 * 1024) + " MiB of")
                    + " WAL)";
            if (!slot.active() && slot.retainedBytes() != null) {
                inactive.add(described);
            } else if (slot.retainedBytes() != null && slot.retainedBytes() > LARGE_RETENTION_BYTES) {
                large.add(described);
            }
        }
        return database.replicationSlots().size();
    }
}
