package io.exodus.analyzer.profile;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which PostgreSQL this is: a managed service leaves marks in its roles, its settings' prefixes and its functions,
 * which decide what a migration may do there (superuser or not, logical replication switches, two-phase commit).
 * Declared in the order they are tried: Aurora carries RDS's marks too, so it comes first.
 */
public enum Flavour {
    COCKROACHDB("CockroachDB", Set.of(), Set.of(), Set.of(), "cockroachdb"),
    AURORA("Amazon Aurora PostgreSQL", Set.of(), Set.of("apg"), Set.of("aurora_version"), null),
    RDS("Amazon RDS for PostgreSQL", Set.of("rds_superuser", "rdsadmin"), Set.of("rds"), Set.of(), null),
    CLOUD_SQL("Google Cloud SQL for PostgreSQL", Set.of("cloudsqlsuperuser", "cloudsqladmin"), Set.of("cloudsql"),
            Set.of(), null),
    AZURE("Azure Database for PostgreSQL", Set.of("azure_pg_admin", "azuresu"), Set.of("azure"), Set.of(), null),
    SUPABASE("Supabase", Set.of("supabase_admin"), Set.of("supautils"), Set.of(), null),
    NEON("Neon", Set.of("neon_superuser"), Set.of("neon"), Set.of(), null),
    LAKEBASE("Databricks Lakebase", Set.of("databricks_superuser"), Set.of("databricks"), Set.of(), null),
    SELF_HOSTED("self-hosted PostgreSQL", Set.of(), Set.of(), Set.of(), null);

    /** Every role, setting prefix and function name some flavour is recognised by, for the catalog query. */
    public static final List<String> MARK_ROLES = List.of("rds_superuser", "rdsadmin", "cloudsqlsuperuser",
            "cloudsqladmin", "azure_pg_admin", "azuresu", "supabase_admin", "neon_superuser", "databricks_superuser");
    public static final List<String> MARK_FUNCTIONS = List.of("aurora_version");

    private final String displayName;
    private final Set<String> roles;
    private final Set<String> settingPrefixes;
    private final Set<String> functions;
    private final String versionMark;

    Flavour(String displayName, Set<String> roles, Set<String> settingPrefixes, Set<String> functions,
            String versionMark) {
        this.displayName = displayName;
        this.roles = roles;
        this.settingPrefixes = settingPrefixes;
        this.functions = functions;
        this.versionMark = versionMark;
    }

    public String displayName() {
        return displayName;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The flavour and the mark it was recognised by (empty for self-hosted, which is what is left). */
    public static Recognised recognise(Marks marks) {
        for (Flavour flavour : values()) {
            Optional<String> mark = flavour.markIn(marks);
            if (mark.isPresent()) {
                return new Recognised(flavour, mark.get());
            }
        }
        return new Recognised(SELF_HOSTED, "no managed service's roles, settings or functions");
    }

    private Optional<String> markIn(Marks marks) {
        if (versionMark != null && marks.versionText().toLowerCase(Locale.ROOT).contains(versionMark)) {
            return Optional.of("version() says " + marks.versionText());
        }
        Optional<String> mark = marks.functions().stream().filter(functions::contains).findFirst()
                .map(function -> "function " + function + "()");
        if (mark.isEmpty()) {
            mark = marks.roles().stream().filter(roles::contains).findFirst().map(role -> "role " + role);
        }
        if (mark.isEmpty()) {
            mark = marks.settingPrefixes().stream().filter(settingPrefixes::contains).findFirst()
                    .map(prefix -> "settings " + prefix + ".*");
        }
        return mark;
    }

    /** What a server shows of itself, to recognise it by. */
    public record Marks(String versionText, List<String> roles, List<String> settingPrefixes, List<String> functions) {
    }

    public record Recognised(Flavour flavour, String evidence) {
    }
}
