package io.exodus.analyzer.api;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.recommend.Recommendations;
import io.exodus.analyzer.shadow.ShadowReport;

import java.util.List;

/**
 * One reading of the databases and the capture, with what follows from it: what every endpoint answers from.
 *
 * @param shadow the latest shadow replay's report, as it stood when this was read
 */
public record Analysis(MigrationProfile profile, List<CheckResult> checks, Recommendations recommendations,
        ShadowReport shadow) {
}
