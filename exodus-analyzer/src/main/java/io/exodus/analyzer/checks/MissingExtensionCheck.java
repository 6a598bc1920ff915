package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.DatabaseProfile.Extension;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every extension the source uses must exist on the target before its schema is created there: types, functions and
 * operators of the extension appear in tables, indexes and statements.
 */
final class MissingExtensionCheck implements Check {

    @Override
    public String key() {
        return "missing-extension";
    }

    @Override
    public String title() {
        return "The source's extensions on the target";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<Extension> used = profile.source().extensions().stream()
                .filter(extension -> !extension.name().equals("plpgsql")).toList();
        Optional<DatabaseProfile> target = profile.targetProfile();
        if (target.isEmpty()) {
            return result(used.isEmpty() ? Verdict.PASS : Verdict.WARNING, "source extensions: " + names(used) + "; "
                    + Evidence.NO_TARGET, "Make sure the target offers these extensions.");
        }
        List<String> unavailable = new ArrayList<>();
        List<String> installable = new ArrayList<>();
        List<String> older = new ArrayList<>();
        for (Extension extension : used) {
            Optional<Extension> installed = target.get().extension(extension.name());
            String offered = target.get().availableExtensions().get(extension.name());
            if (installed.isPresent()) {
                if (!installed.get().version().equals(extension.version())) {
                    older.add(extension.name() + " " + installed.get().version() + " (source " + extension.version()
                            + ")");
                }
            } else if (offered == null) {
                unavailable.add(extension.name() + " " + extension.version());
            } else {
                installable.add(extension.name() + " " + extension.version() + " (target offers " + offered + ")");
            }
        }
        if (!unavailable.isEmpty()) {
            return result(Verdict.BLOCKER, "the target cannot install: " + Evidence.sample(unavailable)
                    + (installable.isEmpty() ? "" : "; not installed: " + Evidence.sample(installable)),
                    "Choose a target that offers these extensions (managed services list theirs), or remove their "
                            + "use from the schema and the application first.");
        }
        if (!installable.isEmpty()) {
            return result(Verdict.ACTION_REQUIRED, "not installed on the target: " + Evidence.sample(installable),
                    "Run CREATE EXTENSION for each in the target database before its schema is created"
                            + (older.isEmpty() ? "" : "; versions differ for " + Evidence.sample(older)) + ".");
        }
        if (!older.isEmpty()) {
            return result(Verdict.WARNING, "versions differ: " + Evidence.sample(older), "Compare the extensions' "
                    + "release notes; ALTER EXTENSION … UPDATE on the side that is behind where behaviour differs.");
        }
        return result(Verdict.PASS, used.isEmpty() ? "the source uses no extension besides plpgsql"
                : "installed on the target with the same versions: " + names(used), "None.");
    }

    private static String names(List<Extension> extensions) {
        return extensions.isEmpty() ? "none"
                : Evidence.sample(extensions.stream().map(e -> e.name() + " " + e.version()).toList());
    }
}
