package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile.Table;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/** Unlogged tables write no WAL, so logical decoding never sees their changes, and a crash empties them. */
final class UnloggedTablesCheck implements Check {

    @Override
    public String key() {
        return "unlogged-tables";
    }

    @Override
    public String title() {
        return "Unlogged tables";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<Table> unlogged = profile.source().tables().stream().filter(Table::unlogged).toList();
        if (unlogged.isEmpty()) {
            return result(Verdict.PASS, "no unlogged table", "None.");
        }
        return result(Verdict.ACTION_REQUIRED, Evidence.plural(unlogged.size(), "unlogged table",
                "unlogged tables") + ": " + Evidence.sample(unlogged.stream().map(Table::qualifiedName).toList()),
                "Their changes never reach the WAL, so the initial sync cannot carry their rows and refuses them: "
                        + "make them logged (ALTER TABLE … SET LOGGED) before the sync, or set "
                        + "exodus.sync.unlogged-tables=schema-only on the proxy if the target may start them empty.");
    }
}
