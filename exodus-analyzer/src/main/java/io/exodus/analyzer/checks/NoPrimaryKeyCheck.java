package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile.Table;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/**
 * Logical replication cannot carry UPDATE and DELETE of a table that has neither a primary key nor a replica identity
 * (the publication refuses them on the source), and verification compares rows by key.
 */
final class NoPrimaryKeyCheck implements Check {

    @Override
    public String key() {
        return "no-primary-key";
    }

    @Override
    public String title() {
        return "Every table has a primary key";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<Table> withoutKey = profile.source().tables().stream()
                .filter(table -> table.primaryKey().isEmpty() && table.partitionOf() == null).toList();
        if (withoutKey.isEmpty()) {
            return result(Verdict.PASS, profile.source().tables().size() + " tables, each with a primary key",
                    "None: rows can be replicated and compared by key.");
        }
        List<Table> unusable = withoutKey.stream().filter(table -> table.replicaIdentity().equals("default")
                || table.replicaIdentity().equals("nothing")).toList();
        String evidence = Evidence.plural(withoutKey.size(), "table", "tables") + " without a primary key: "
                + Evidence.sample(withoutKey.stream().map(table -> table.qualifiedName() + " (replica identity "
                        + table.replicaIdentity() + ", ~" + table.estimatedRows() + " rows)").toList());
        if (unusable.isEmpty()) {
            return result(Verdict.WARNING, evidence, "Their replica identity lets logical replication carry their "
                    + "changes (FULL logs whole old rows: more WAL); verification has no key to compare them by, so "
                    + "add primary keys where the data has one.");
        }
        return result(Verdict.ACTION_REQUIRED, evidence, "Before initial sync, add a primary key (ALTER TABLE … ADD "
                + "PRIMARY KEY) or set REPLICA IDENTITY FULL on each: without either, logical replication cannot carry "
                + "their UPDATEs and DELETEs, and verification cannot compare their rows by key.");
    }
}
