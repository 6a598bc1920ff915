package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile.DeferrableConstraint;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/**
 * A deferred constraint is checked at COMMIT (or PREPARE TRANSACTION), after the statements that broke it: the two
 * databases can learn of a violation at different moments of a dual-written transaction.
 */
final class DeferrableConstraintCheck implements Check {

    @Override
    public String key() {
        return "deferrable-constraint";
    }

    @Override
    public String title() {
        return "Deferrable constraints";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<DeferrableConstraint> deferrable = profile.source().deferrableConstraints();
        if (deferrable.isEmpty()) {
            return result(Verdict.PASS, "no deferrable constraint", "None: every constraint is checked at its statement.");
        }
        return result(Verdict.WARNING, Evidence.plural(deferrable.size(), "deferrable constraint", "deferrable "
                + "constraints") + ": " + Evidence.sample(deferrable.stream().map(constraint -> constraint.name() + " ("
                        + constraint.type() + " on " + constraint.schema() + "." + constraint.table()
                        + (constraint.initiallyDeferred() ? ", initially deferred" : "") + ")").toList()),
                "A violation shows at COMMIT: under two-phase-commit a failed PREPARE rolls both databases back and "
                        + "the client gets the original error; under the other policies the authoritative side "
                        + "commits first and the other side's failure becomes a divergence. Initial sync creates them "
                        + "after the load.");
    }
}
