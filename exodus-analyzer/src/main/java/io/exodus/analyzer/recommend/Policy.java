package io.exodus.analyzer.recommend;

import com.fasterxml.jackson.annotation.JsonValue;
import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.Flavour;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.WorkloadProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The proxy's consistency policies (exodus.migration.policy) the analyzer recommends between. */
public enum Policy {
    /** Both commit or neither: the strongest, when both databases allow prepared transactions. */
    TWO_PHASE_COMMIT,
    /** The primary commits and the secondary applies in sequence; what the secondary misses is queued. */
    BOTH_REQUIRED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Choice<Policy> of(MigrationProfile profile) {
        List<String> against = new ArrayList<>();
        long sourcePrepared = profile.source().numericSetting("max_prepared_transactions").orElse(0L);
        if (sourcePrepared == 0) {
            against.add("the source has max_prepared_transactions = 0");
        }
        if (profile.target() == null) {
            against.add("no target is configured to check max_prepared_transactions on");
        } else {
            DatabaseProfile target = profile.target();
            if (target.numericSetting("max_prepared_transactions").orElse(0L) == 0) {
                against.add("the target has max_prepared_transactions = 0");
            }
            if (target.server().flavour() == Flavour.COCKROACHDB) {
                against.add("CockroachDB gates two-phase commit behind a cluster setting");
            }
        }
        WorkloadProfile workload = profile.workload();
        long tempSessions = workload.sessionsWith("temp-table");
        if (tempSessions > 0) {
            against.add(tempSessions + " captured sessions use temporary tables, after which PostgreSQL refuses "
                    + "PREPARE TRANSACTION");
        }
        if (against.isEmpty()) {
            return new Choice<>(TWO_PHASE_COMMIT, "both databases allow prepared transactions: a transaction commits "
                    + "on both or on neither");
        }
        List<String> reasons = new ArrayList<>(against);
        reasons.add(0, "two-phase-commit is not possible or not safe here");
        reasons.add("both-required keeps every write on both databases, queueing what the target misses");
        return new Choice<>(BOTH_REQUIRED, reasons);
    }
}
