package io.exodus.analyzer.report;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.checks.Verdict;
import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.recommend.Choice;
import io.exodus.analyzer.recommend.PgTune;
import io.exodus.analyzer.recommend.Recommendations;
import io.exodus.analyzer.shadow.ShadowReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

/**
 * The HTML report a person reads before a migration: verdicts first (what stands in the way), then what to do (the
 * recommendations), then how the target answered the captured traffic ({@link ShadowSection}), then what was found
 * (the profile, {@link ProfileSection}). One self-contained page: styles
 * inline, charts as SVG, nothing loaded from elsewhere.
 */
public final class ReportPage {
    private static final String STYLE = style();

    private ReportPage() {
    }

    public static String render(MigrationProfile profile, List<CheckResult> checks, Recommendations recommendations,
            ShadowReport shadow) {
        Html html = new Html();
        html.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                // An empty icon, so that the browser does not ask the analyzer for /favicon.ico.
                .raw("<link rel=\"icon\" href=\"data:,\">")
                .raw("<title>Exodus migration report</title><style>").raw(STYLE).raw("</style></head><body>");
        header(html, profile);
        html.raw("<main>");
        verdicts(html, checks);
        recommendations(html, recommendations);
        ShadowSection.render(html, shadow);
        ProfileSection.render(html, profile);
        html.raw("</main><footer>Exodus analyzer · the same data as JSON: /analyzer/checks, "
                + "/analyzer/recommendations, /analyzer/shadow, /analyzer/profile</footer></body></html>");
        return html.toString();
    }

    private static void header(Html html, MigrationProfile profile) {
        html.raw("<header><h1>Exodus migration report</h1><p>");
        describe(html, profile.source());
        html.raw(" → ");
        if (profile.target() == null) {
            html.text("no target configured");
        } else {
            describe(html, profile.target());
        }
        html.raw(" · generated ").text(profile.generatedAt().withNano(0)).raw("</p></header>");
    }

    private static void describe(Html html, DatabaseProfile database) {
        DatabaseProfile.Server server = database.server();
        html.text(database.role() + ": " + server.database() + " on PostgreSQL " + server.version() + " ("
                + server.flavour().displayName() + ")");
    }

    private static void verdicts(Html html, List<CheckResult> checks) {
        html.raw("<section id=\"verdicts\"><h2>Verdicts</h2><div class=\"summary\">");
        for (Verdict verdict : List.of(Verdict.BLOCKER, Verdict.ACTION_REQUIRED, Verdict.WARNING, Verdict.PASS)) {
            long count = checks.stream().filter(check -> check.verdict() == verdict).count();
            html.raw("<div class=\"tile " + verdict.wireName() + "\"><strong>" + count + "</strong>")
                    .text(verdict.wireName().replace('-', ' ')).raw("</div>");
        }
        html.raw("</div>");
        List<CheckResult> worstFirst = checks.stream()
                .sorted(Comparator.comparing(CheckResult::verdict).reversed()).toList();
        worstFirst.stream().filter(check -> check.verdict() != Verdict.PASS).forEach(check -> check(html, check));
        List<CheckResult> passing = worstFirst.stream().filter(check -> check.verdict() == Verdict.PASS).toList();
        if (!passing.isEmpty()) {
            html.raw("<details class=\"passing\"><summary>").text(passing.size() + " checks pass")
                    .raw("</summary>");
            passing.forEach(check -> check(html, check));
            html.raw("</details>");
        }
        html.raw("</section>");
    }

    private static void check(Html html, CheckResult check) {
        html.raw("<div class=\"check " + check.verdict().wireName() + "\">")
                .element("span", "badge " + check.verdict().wireName(), check.verdict().wireName())
                .element("span", "title", check.title()).element("span", "key", check.key())
                .element("p", "evidence", check.evidence()).element("p", "action", check.action()).raw("</div>");
    }

    private static void recommendations(Html html, Recommendations recommendations) {
        html.raw("<section id=\"recommendations\"><h2>Recommendations</h2><div class=\"facts\">");
        html.fact("Strategy", recommendations.strategy().value().wireName());
        html.fact("Consistency policy", recommendations.policy().value().wireName());
        html.fact("Instance", recommendations.instance().vcpus() + " vCPU · "
                + PgTune.human(recommendations.instance().memoryBytes()) + " · "
                + recommendations.instance().shape());
        html.fact("Storage", PgTune.human(recommendations.instance().storageBytes()) + " "
                + recommendations.hardware().storage().wireName());
        html.fact("Workload type (PGTune)", recommendations.workloadType().value().wireName());
        html.raw("</div>");
        reasons(html, "Why this strategy", recommendations.strategy());
        reasons(html, "Why this policy", recommendations.policy());
        reasons(html, "Why this workload type", recommendations.workloadType());
        html.raw("<h3>Cutover blockers</h3>").table(List.of("check", "verdict", "what to do"),
                recommendations.cutoverBlockers().stream().map(blocker -> Html.row(blocker.key(),
                        blocker.verdict().wireName(), blocker.action())).toList(),
                "Nothing blocks a cutover.");
        html.raw("<h3>Statements to keep on the source</h3>").table(List.of("fingerprint", "statement", "why"),
                recommendations.pinnedStatements().stream().map(pinned -> Html.row(pinned.fingerprint(),
                        pinned.text(), pinned.reason())).toList(),
                "None: every captured statement can move to the target.");
        html.raw("<h3>Target settings</h3><p class=\"empty\">").text("Tuned for "
                + PgTune.human(recommendations.hardware().memoryBytes()) + " and " + recommendations.hardware().cpus()
                + " CPUs (" + recommendations.hardware().basis() + ").").raw("</p>");
        html.table(List.of("setting", "recommended", "target now", "why"), recommendations.settings().stream()
                .map(setting -> Html.row(setting.name(), setting.value(),
                        setting.current() == null ? "—" : setting.current(), setting.reason())).toList(), "");
        html.raw("<h3>Instance size</h3><ul class=\"reasons\">");
        recommendations.instance().reasons().forEach(reason -> html.element("li", null, reason));
        html.raw("</ul></section>");
    }

    private static void reasons(Html html, String title, Choice<?> choice) {
        html.element("h3", null, title).raw("<ul class=\"reasons\">");
        choice.reasons().forEach(reason -> html.element("li", null, reason));
        html.raw("</ul>");
    }

    private static String style() {
        try (InputStream css = ReportPage.class.getResourceAsStream("report.css")) {
            if (css == null) {
                throw new IllegalStateException("report.css is missing from the analyzer's jar");
            }
            return new String(css.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
