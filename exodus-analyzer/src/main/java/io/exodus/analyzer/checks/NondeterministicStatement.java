package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.WorkloadProfile.FunctionUse;
import io.exodus.analyzer.profile.WorkloadProfile.StatementStats;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which captured statements Exodus cannot make deterministic: writes that call a volatile function and run as their
 * text on both databases — UPDATE, DELETE, MERGE, INSERT … ON CONFLICT, and writes inside WITH (docs/GAPS.md). A plain
 * INSERT is not among them: the proxy copies the source's rows to the target (row images). Volatile functions whose
 * effect is the same on both sides (advisory locks, settings, notifications, sleeping) do not count.
 *
 * @param functions the volatile functions the statement calls that draw a value of their own on each database
 */
public record NondeterministicStatement(StatementStats statement, List<String> functions) {
    private static final Set<String> SAME_EFFECT_ON_BOTH = Set.of("set_config", "pg_notify", "pg_sleep",
            "pg_sleep_for", "pg_sleep_until");
    private static final Pattern ON_CONFLICT = Pattern.compile("\\bon\\s+conflict\\b");

    public static List<NondeterministicStatement> allIn(MigrationProfile profile) {
        Set<String> volatileFunctions = profile.workload().functions().stream()
                .filter(function -> function.volatility().equals("volatile")).map(FunctionUse::name)
                .collect(Collectors.toSet());
        return profile.volatileStatements().stream()
                .filter(statement -> statement.statementClass().equals("write")
                        || statement.statementClass().equals("other"))
                .filter(statement -> !isPlainInsert(statement.text()))
                .map(statement -> new NondeterministicStatement(statement, statement.functions().stream()
                        .filter(volatileFunctions::contains)
                        .filter(function -> !SAME_EFFECT_ON_BOTH.contains(function) && !function.contains("advisory"))
                        .toList()))
                .filter(finding -> !finding.functions().isEmpty())
                .toList();
    }

    private static boolean isPlainInsert(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("insert") && !ON_CONFLICT.matcher(lower).find();
    }
}
