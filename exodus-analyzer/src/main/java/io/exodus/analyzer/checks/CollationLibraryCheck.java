package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.DatabaseProfile.CollatedIndexColumn;
import io.exodus.analyzer.profile.DatabaseProfile.Collation;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Text under a libc collation sorts as the operating system's C library says, and glibc 2.28 changed that order
 * (RHEL 8, Debian 10): the same query can order rows differently on the two databases, and an index built under one
 * library is corrupt under another. Drift on the source itself shows as a recorded collation version that differs
 * from the library's current one.
 */
final class CollationLibraryCheck implements Check {
    /** Byte-order locales: the same everywhere. */
    private static final Set<String> BYTE_ORDER = Set.of("C", "POSIX");

    @Override
    public String key() {
        return "collation-library";
    }

    @Override
    public String title() {
        return "Text sort order from the C library";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        DatabaseProfile source = profile.source();
        List<String> drift = drift(source);
        List<CollatedIndexColumn> libcColumns = source.collatedIndexColumns().stream()
                .filter(column -> "libc".equals(column.provider()) && !BYTE_ORDER.contains(column.locale())).toList();
        String library = "C library on the source: " + versionOrUnknown(source.server().libcVersion())
                + profile.targetProfile().map(target -> ", on the target: " + versionOrUnknown(
                        target.server().libcVersion())).orElse("");
        if (!drift.isEmpty()) {
            return result(Verdict.ACTION_REQUIRED, "collation versions changed under the source: " + String.join(", ",
                    drift) + "; " + library, "Indexes on text under these collations may be corrupt already: check "
                    + "them (amcheck's bt_index_check(index, heapallindexed => true)), REINDEX them, then ALTER "
                    + "COLLATION … REFRESH VERSION (ALTER DATABASE … REFRESH COLLATION VERSION for the default).");
        }
        if (libcColumns.isEmpty()) {
            return result(Verdict.PASS, "no index sorts text with a libc collation other than C or POSIX; " + library,
                    "None: text indexes do not depend on the C library's sort order.");
        }
        String evidence = Evidence.plural(libcColumns.size(), "index column sorts", "index columns sort")
                + " text with a libc collation: " + Evidence.sample(libcColumns.stream().map(column -> column.index()
                        + " (" + column.schema() + "." + column.table() + "." + column.column() + ", collation "
                        + column.collation() + ", locale " + column.locale() + ")").toList()) + "; " + library;
        String sourceLibrary = source.server().libcVersion();
        String targetLibrary = profile.targetProfile().map(target -> target.server().libcVersion()).orElse(null);
        if (sourceLibrary != null && targetLibrary != null && !sourceLibrary.equals(targetLibrary)) {
            return result(Verdict.ACTION_REQUIRED, evidence, "The two C libraries may sort text differently: reads "
                    + "that order or compare text can answer differently on the target, and canary reads would show "
                    + "it. Move these columns to ICU or C collations, or run the target on the source's C library "
                    + "version; build the target's indexes there (initial sync does) rather than copying files.");
        }
        return result(Verdict.WARNING, evidence, "Their order comes from the operating system's C library"
                + (profile.target() == null ? " (" + Evidence.NO_TARGET + ")" : "") + ". Keep the target on the "
                + "source's C library version, or move these columns to ICU or C collations; after any operating "
                + "system upgrade of either server, check and REINDEX them (amcheck bt_index_check).");
    }

    private static List<String> drift(DatabaseProfile source) {
        List<String> drift = new ArrayList<>();
        for (Collation collation : source.collations()) {
            if (collation.version() != null && collation.actualVersion() != null
                    && !collation.version().equals(collation.actualVersion())) {
                drift.add(collation.name() + " recorded " + collation.version() + ", now " + collation.actualVersion());
            }
        }
        DatabaseProfile.Server server = source.server();
        if (server.collationVersion() != null && server.actualCollationVersion() != null
                && !Objects.equals(server.collationVersion(), server.actualCollationVersion())) {
            drift.add("database " + server.database() + " recorded " + server.collationVersion() + ", now "
                    + server.actualCollationVersion());
        }
        return drift;
    }

    private static String versionOrUnknown(String version) {
        return version == null ? "no version reported" : "glibc " + version;
    }
}
