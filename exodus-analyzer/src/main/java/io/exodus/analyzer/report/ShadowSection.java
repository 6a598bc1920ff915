package io.exodus.analyzer.report;

import io.exodus.analyzer.shadow.Finding;
import io.exodus.analyzer.shadow.FindingOrigin;
import io.exodus.analyzer.shadow.Latency;
import io.exodus.analyzer.shadow.ReplayState;
import io.exodus.analyzer.shadow.ShadowReport;
import io.exodus.analyzer.shadow.StatementReport;
import io.exodus.analyzer.shadow.StatementVerdict;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The report's shadow part: how the target answered the captured traffic against the source. Findings first, each
 * with both sides next to each other (plans as their trees) and its origin (the replay, or the proxies' live shadow
 * reads, shown even before any replay), then every statement shape's verdict and latencies.
 */
final class ShadowSection {
    private ShadowSection() {
    }

    static void render(Html html, ShadowReport shadow) {
        html.raw("<section id=\"shadow\"><h2>Shadow replay</h2>");
        if (shadow.state() != ReplayState.DONE) {
            html.element("p", "empty", shadow.state().wireName() + ": " + shadow.message());
            List<Finding> live = shadow.findings().stream().filter(f -> f.origin() == FindingOrigin.LIVE).toList();
            if (!live.isEmpty()) {
                html.raw("<h3>Findings</h3>");
                findings(html, live);
            }
            html.raw("</section>");
            return;
        }
        html.element("p", "empty", "Replayed from " + (shadow.request().since() == null ? "the first capture"
                : shadow.request().since()) + ", started " + shadow.startedAt().withNano(0) + ", done "
                + shadow.finishedAt().withNano(0) + "; writes: " + shadow.request().writes().wireName()
                + "; pace: " + shadow.request().pace().wireName() + ". " + shadow.message()
                + ". The source ran each statement twice: what differed between its own runs was noise.");
        html.raw("<div class=\"summary\">");
        Map<String, Long> overall = shadow.overall();
        for (StatementVerdict verdict : List.of(StatementVerdict.ERROR, StatementVerdict.DIFFERENT,
                StatementVerdict.REGRESSED, StatementVerdict.SAME, StatementVerdict.NOT_COMPARABLE)) {
            html.raw("<div class=\"tile shadow-" + verdict.wireName() + "\"><strong>"
                    + overall.getOrDefault(verdict.wireName(), 0L) + "</strong>")
                    .text(verdict.wireName().replace('-', ' ')).raw("</div>");
        }
        html.raw("</div><h3>Findings</h3>");
        if (shadow.findings().isEmpty()) {
            html.element("p", "empty", "None: the target answered every compared statement as the source did.");
        } else {
            findings(html, shadow.findings());
        }
        html.raw("<h3>Statements</h3>").table(List.of("verdict", "statement", "calls", "replays", "source",
                "target", "masked", "why"), shadow.statements().stream()
                        .sorted(Comparator.comparing(StatementReport::verdict).reversed())
                        .map(s -> Html.row(s.verdict().wireName(), s.query(), s.calls(), s.replayed(),
                                latency(s.source()), latency(s.target()),
                                s.maskedColumns().isEmpty() ? "—" : String.join(", ", s.maskedColumns()), s.reason()))
                        .toList(), "Nothing was captured in the replay's window.");
        html.raw("</section>");
    }

    /** Replay and live findings in one table; the origin column tells which found each. */
    private static void findings(Html html, List<Finding> findings) {
        html.raw("<table class=\"findings\"><thead><tr><th>kind</th><th>origin</th><th>statement</th>"
                + "<th>source</th><th>target</th><th>evidence</th></tr></thead><tbody>");
        findings.forEach(finding -> finding(html, finding));
        html.raw("</tbody></table>");
    }

    private static void finding(Html html, Finding finding) {
        html.raw("<tr>").raw("<td>").element("span", "badge shadow-" + finding.kind().wireName(),
                finding.kind().wireName()).raw("</td>")
                .element("td", null, finding.origin() == FindingOrigin.LIVE ? "live shadow reads" : "replay").element("td", "statement", finding.query())
                .raw("<td><pre>").text(finding.source()).raw("</pre></td><td><pre>").text(finding.target())
                .raw("</pre></td>").element("td", null, finding.evidence()).raw("</tr>");
    }

    private static String latency(Latency latency) {
        return latency == null ? "—" : latency.toString();
    }
}
