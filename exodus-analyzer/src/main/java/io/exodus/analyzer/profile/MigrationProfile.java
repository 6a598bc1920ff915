package io.exodus.analyzer.profile;

import io.exodus.analyzer.profile.WorkloadProfile.StatementStats;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Everything the checks and the recommendations are computed from: the JSON of {@code GET /analyzer/profile}.
 *
 * @param target            null when no target is configured
 * @param volatileStatements captured statement shapes that call a function the source marks volatile, most called
 *                           first: the candidates for statements Exodus cannot make deterministic
 */
public record MigrationProfile(OffsetDateTime generatedAt, DatabaseProfile source, DatabaseProfile target,
        WorkloadProfile workload, List<StatementStats> volatileStatements) {

    public Optional<DatabaseProfile> targetProfile() {
        return Optional.ofNullable(target);
    }

    /** The source, then the target when there is one: for the checks that look at both alike. */
    public List<DatabaseProfile> databases() {
        return target == null ? List.of(source) : List.of(source, target);
    }
}
