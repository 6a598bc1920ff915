package io.exodus.analyzer.api;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.recommend.Recommendations;

import java.util.List;

/** One reading of the databases and the capture, with what follows from it: what every endpoint answers from. */
public record Analysis(MigrationProfile profile, List<CheckResult> checks, Recommendations recommendations) {
}
