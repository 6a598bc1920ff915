package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/**
 * Captured writes whose values each database draws for itself (see {@link NondeterministicStatement}): dual-write
 * runs them on both, and the rows they touch can differ afterwards. The recommendations pin them to the source.
 */
final class NondeterministicStatementsCheck implements Check {

    @Override
    public String key() {
        return "nondeterministic-statements";
    }

    @Override
    public String title() {
        return "Captured writes Exodus cannot make deterministic";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        if (profile.workload().isEmpty()) {
            return result(Verdict.PASS, "no captured traffic yet (point a proxy's exodus.capture.analyzer-url here)",
                    "None until traffic is captured.");
        }
        List<NondeterministicStatement> findings = NondeterministicStatement.allIn(profile);
        if (findings.isEmpty()) {
            return result(Verdict.PASS, profile.workload().events() + " captured statements, none a write that draws "
                    + "its own values on each database", "None.");
        }
        return result(Verdict.WARNING, Evidence.plural(findings.size(), "statement", "statements") + ": "
                + Evidence.sample(findings.stream().map(finding -> finding.statement().fingerprint() + " calls "
                        + String.join(", ", finding.functions()) + " (" + finding.statement().calls() + " calls): "
                        + finding.statement().text()).toList()),
                "Their rows may differ between the databases after dual-write: the recommendations pin them to the "
                        + "source; better, let the application compute the values (or use a row-level trigger on the "
                        + "source only), then verify the tables they write.");
    }
}
