package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.MigrationProfile;

/**
 * Large objects live outside tables: logical replication does not carry them, and the proxy refuses the fast-path
 * calls drivers use for them (lo_* SQL functions may pick different OIDs on each database).
 */
final class LargeObjectsCheck implements Check {

    @Override
    public String key() {
        return "large-objects";
    }

    @Override
    public String title() {
        return "Large objects";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        long count = profile.source().largeObjects();
        if (count == 0) {
            return result(Verdict.PASS, "no large object", "None.");
        }
        return result(Verdict.ACTION_REQUIRED, Evidence.plural(count, "large object", "large objects")
                + " in pg_largeobject", "Move them into bytea columns before the migration. The initial sync does "
                + "not copy them and refuses a database that holds them unless exodus.sync.large-objects=skip; then "
                + "copy them apart (pg_dump --large-objects) during a window without large-object writes.");
    }
}
