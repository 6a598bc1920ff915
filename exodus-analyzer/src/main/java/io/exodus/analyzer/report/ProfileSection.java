package io.exodus.analyzer.report;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.WorkloadProfile;
import io.exodus.analyzer.recommend.PgTune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The report's last part: what the analyzer found, the workload first (with its charts), then each database. */
final class ProfileSection {
    /** Rows shown per table; the JSON profile has them all. */
    private static final int ROWS = 20;
    private static final List<String> KEY_SETTINGS = List.of("wal_level", "max_prepared_transactions",
            "max_connections", "shared_buffers", "work_mem", "max_wal_size", "max_replication_slots",
            "max_wal_senders", "shared_preload_libraries");

    private ProfileSection() {
    }

    static void render(Html html, MigrationProfile profile) {
        html.raw("<section id=\"workload\"><h2>Workload</h2>");
        workload(html, profile.workload());
        html.raw("</section><section id=\"databases\"><h2>Databases</h2>");
        servers(html, profile);
        schema(html, profile.source());
        html.raw("</section>");
    }

    private static void workload(Html html, WorkloadProfile workload) {
        if (workload.isEmpty()) {
            html.element("p", "empty", "No captured traffic yet. Point a proxy at this analyzer "
                    + "(exodus.capture.analyzer-url) to see the statement mix, the load and the top statements.");
            return;
        }
        html.raw("<div class=\"facts\">");
        html.fact("Statements captured", String.format(Locale.ROOT, "%,d", workload.events()));
        html.fact("Sessions (peak at once)", workload.sessions() + " (" + workload.peakSessions() + ")");
        html.fact("Reads", String.format(Locale.ROOT, "%.0f %%", workload.readShare() * 100));
        html.fact("Transactions", workload.transactions().count() == 0 ? "none in a transaction block"
                : String.format(Locale.ROOT, "%,d · mean %.1f ms · p95 %.1f ms", workload.transactions().count(),
                        workload.transactions().meanMicros() / 1000, workload.transactions().p95Micros() / 1000));
        html.fact("Dropped by the proxies", String.valueOf(workload.droppedEvents()));
        html.raw("</div><div class=\"columns\"><div><h3>Statement mix</h3>")
                .raw(SvgCharts.statementMix(workload.mix())).raw("</div><div><h3>Load over time</h3>")
                .raw(SvgCharts.load(workload.load(), workload.bucketSeconds())).raw("</div></div>");
        html.raw("<h3>Top statements by total time</h3>").table(List.of("fingerprint", "class", "calls",
                "total ms", "mean ms", "rows", "statement"), workload.topByTime().stream().map(s -> Html.row(
                        s.fingerprint(), s.statementClass(), s.calls(), millis(s.totalMicros()),
                        millis(s.meanMicros()), s.rows(), s.text())).toList(), "");
        html.raw("<h3>Session behaviour</h3>").table(List.of("behaviour", "sessions"), workload.sessionBehaviour()
                .entrySet().stream().map(entry -> Html.row(entry.getKey(), entry.getValue())).toList(), "No session state: no SET, prepared statements, temporary "
                + "tables, LISTEN, advisory locks or COPY.");
        html.raw("<h3>Functions called</h3>").table(List.of("function", "volatility", "statements", "calls"),
                workload.functions().stream().limit(ROWS).map(f -> Html.row(f.name(), f.volatility(),
                        f.statements(), f.calls())).toList(), "No function calls.");
    }

    private static void servers(Html html, MigrationProfile profile) {
        List<DatabaseProfile> databases = new ArrayList<>(List.of(profile.source()));
        profile.targetProfile().ifPresent(databases::add);
        List<String> header = new ArrayList<>(List.of(""));
        databases.forEach(database -> header.add(database.role()));
        List<List<Object>> rows = new ArrayList<>();
        rows.add(row(databases, d -> d.server().version() + " (" + d.server().flavour().displayName() + ")", "version"));
        rows.add(row(databases, d -> d.server().flavourEvidence(), "recognised by"));
        rows.add(row(databases, d -> d.server().database() + ", " + d.server().encoding() + ", " + d.server()
                .localeProvider() + " " + d.server().collate(), "database"));
        rows.add(row(databases, d -> PgTune.human(d.totalBytes()), "size of all databases"));
        rows.add(row(databases, d -> d.server().memoryBytes() == null ? "unknown"
                : PgTune.human(d.server().memoryBytes()) + ", " + d.server().cpus() + " CPUs", "host"));
        for (String setting : KEY_SETTINGS) {
            rows.add(row(databases, d -> d.setting(setting).orElse("—"), setting));
        }
        rows.add(row(databases, d -> d.extensions().stream().map(e -> e.name() + " " + e.version())
                .reduce((a, b) -> a + ", " + b).orElse("none"), "extensions"));
        rows.add(row(databases, d -> d.unreadable().isEmpty() ? "everything" : "not: " + String.join("; ",
                d.unreadable()), "catalogs read"));
        html.table(header, rows, "");
    }

    private static void schema(Html html, DatabaseProfile source) {
        html.raw("<h3>Source tables (largest first)</h3>").table(List.of("table", "primary key", "replica identity",
                "rows (est.)", "size", "triggers"), source.tables().stream().limit(ROWS).map(t -> Html.row(
                        t.qualifiedName() + (t.unlogged() ? " (unlogged)" : "") + (t.partitionOf() == null ? ""
                                : " (partition of " + t.partitionOf() + ")"),
                        t.primaryKey().isEmpty() ? "none" : String.join(", ", t.primaryKey()), t.replicaIdentity(),
                        t.estimatedRows(), PgTune.human(t.bytes()), t.triggers())).toList(), "No tables.");
        html.raw("<h3>Sequences (closest to their limit first)</h3>").table(List.of("sequence", "type",
                "last value", "used", "feeds"), source.sequences().stream()
                .sorted(Comparator.comparingDouble(DatabaseProfile.Sequence::usedShare).reversed()).limit(ROWS)
                .map(s -> Html.row(s.schema() + "." + s.name(), s.dataType(), s.lastValue() == null ? "unused"
                        : s.lastValue(), String.format(Locale.ROOT, "%.1f %% of %d", s.usedShare() * 100, s.limit()),
                        s.table() == null ? "—" : s.table() + "." + s.column() + " " + s.columnType())).toList(),
                "No sequences.");
        html.raw("<h3>Collations in use</h3>").table(List.of("collation", "provider", "locale", "recorded version",
                "library version now", "columns"), source.collations().stream().map(c -> Html.row(c.name(),
                        c.provider(), c.locale(), c.version(), c.actualVersion(), c.columns())).toList(), "None.");
        html.raw("<h3>Replication slots</h3>").table(List.of("slot", "type", "active", "WAL kept"),
                source.replicationSlots().stream().map(s -> Html.row(s.name(), s.type(), s.active(),
                        s.retainedBytes() == null ? "—" : PgTune.human(s.retainedBytes()))).toList(), "None.");
    }

    private static List<Object> row(List<DatabaseProfile> databases, Function<DatabaseProfile, Object> value,
            String label) {
        List<Object> row = new ArrayList<>(List.of(label));
        databases.forEach(database -> row.add(value.apply(database)));
        return row;
    }

    private static String millis(double micros) {
        return String.format(Locale.ROOT, "%,.1f", micros / 1000);
    }
}
