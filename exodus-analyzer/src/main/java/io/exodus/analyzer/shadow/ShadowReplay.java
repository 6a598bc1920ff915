package io.exodus.analyzer.shadow;

import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.capture.StatementClass;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One replay of captured statements: each shape's executions on the source, the target and the source again,
 * compared ({@link ResponseComparison}); then its plans on both sides, its latencies, and for a collation difference
 * the collations of the columns involved. Reads run on the live databases; writes only on the scratch copies, when
 * the replay was asked to roll them back there. Executions run side by side up to exodus.analyzer.shadow.concurrency,
 * fewer while the {@link LoadGuard} holds them back ({@link ReplayPermits}); the executions of one shape run one after
 * the other, so that their timings are not of each other's making. Paced as fast as that allows, every shape waits for
 * a free slot among {@code concurrency} (so that at most that many shapes' answers are held at once); paced as
 * captured, every shape is under way from the start, each execution waiting for its time ({@link Pacing}).
 */
final class ShadowReplay {
    private static final String READ = StatementClass.READ.wireName();
    private static final String WRITE = StatementClass.WRITE.wireName();

    private final Databases live;
    private final Optional<Databases> scratch;
    private final AnalyzerConfig.Shadow settings;
    private final ReplayPermits permits;
    private final Pacing pacing;
    private final Map<Long, String> typeNames;

    /**
     * @param scratch where writes run, rolled back; empty when they are skipped
     * @param permits   how many executions may run at once, which the load guard lowers
     * @param typeNames the SQL names of the parameter types captured executions declared, by OID (from the source)
     */
    ShadowReplay(Databases live, Optional<Databases> scratch, AnalyzerConfig.Shadow settings, ReplayPermits permits,
            Pacing pacing, Map<Long, String> typeNames) {
        this.live = live;
        this.scratch = scratch;
        this.settings = settings;
        this.permits = permits;
        this.pacing = pacing;
        this.typeNames = typeNames;
    }

    /** The reports in the statements' order, and every finding. */
    record Outcomes(List<StatementReport> statements, List<Finding> findings) {
    }

    Future<Outcomes> run(List<CapturedStatement> statements, Pace pace) {
        List<Supplier<Future<Replayed>>> tasks = new ArrayList<>();
        statements.forEach(statement -> tasks.add(() -> replay(statement, pace)));
        int shapesAtOnce = pace == Pace.CAPTURED ? Math.max(1, statements.size()) : permits.ceiling();
        return ConcurrencyLimit.all(tasks, shapesAtOnce).map(replayed -> {
            List<StatementReport> reports = new ArrayList<>();
            List<Finding> findings = new ArrayList<>();
            replayed.forEach(r -> {
                reports.add(r.report());
                findings.addAll(r.findings());
            });
            return new Outcomes(reports, findings);
        });
    }

    private record Replayed(StatementReport report, List<Finding> findings) {
    }

    private Future<Replayed> replay(CapturedStatement statement, Pace pace) {
        Databases databases;
        if (statement.statementClass().equals(READ)) {
            databases = live;
        } else if (statement.statementClass().equals(WRITE) && scratch.isPresent()) {
            databases = scratch.get();
        } else {
            return Future.succeededFuture(notComparable(statement, statement.statementClass().equals(WRITE)
                    ? "writes are skipped (writes=skip): they never run on the live target"
                    : "only reads and writes are replayed; " + statement.statementClass() + " statements are not"));
        }
        List<Planned> runnable = new ArrayList<>();
        String unrunnable = null;
        for (CapturedExecution captured : statement.executions()) {
            ReplayedSettings settings = ReplayedSettings.of(captured.settings());
            ReplayedValues values = ReplayedValues.of(captured, typeNames);
            if (settings instanceof ReplayedSettings.Unappliable refused) {
                unrunnable = unrunnable == null ? refused.reason() : unrunnable;
                continue;
            }
            if (values instanceof ReplayedValues.Undecodable undecodable) {
                unrunnable = unrunnable == null ? undecodable.reason() : unrunnable;
                continue;
            }
            ReplayableSql sql = ReplayableSql.of(statement.text(), ((ReplayedValues.Decoded) values).values(),
                    types(captured));
            if (sql instanceof ReplayableSql.Runnable r) {
                runnable.add(new Planned(r.sql(), ((ReplayedSettings.Applied) settings).settings(), captured.at()));
            } else if (unrunnable == null) {
                unrunnable = ((ReplayableSql.Unrunnable) sql).reason();
            }
        }
        if (runnable.isEmpty()) {
            return Future.succeededFuture(notComparable(statement, "not replayable: " + unrunnable));
        }
        if (pace == Pace.CAPTURED) {
            runnable.sort(Comparator.comparing(Planned::capturedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        }
        Map<String, String> firstSettings = runnable.get(0).settings();
        return executions(databases, runnable, 0, new ArrayList<>())
                .compose(executions -> permits.run(() -> compare(databases, statement, executions, firstSettings)));
    }

    /** The declared type of each parameter by name, null where it was inferred (OID 0) or is unknown. */
    private List<String> types(CapturedExecution captured) {
        if (captured.parameterTypes() == null) {
            return null;
        }
        List<String> names = new ArrayList<>(captured.parameterTypes().size());
        captured.parameterTypes().forEach(oid -> names.add(oid == 0 ? null : typeNames.get(oid)));
        return names;
    }

    /** A captured execution with its values written into its text, its session's settings, when it was captured. */
    private record Planned(String sql, Map<String, String> settings, Instant capturedAt) {
    }

    private Future<List<Execution>> executions(Databases on, List<Planned> runnable, int index,
            List<Execution> done) {
        if (index == runnable.size()) {
            return Future.succeededFuture(done);
        }
        String sql = runnable.get(index).sql();
        Map<String, String> settings = runnable.get(index).settings();
        return pacing.due(runnable.get(index).capturedAt())
                .compose(due -> permits.run(() -> on.source().run(sql, settings)
                        .compose(onSource -> on.target().run(sql, settings)
                        .compose(onTarget -> on.source().run(sql, settings)
                                .map(baseline -> new Execution(sql, onSource, onTarget, baseline))))))
                .compose(execution -> {
                    done.add(execution);
                    return executions(on, runnable, index + 1, done);
                });
    }

    /** @param sessionSettings the first execution's session settings, under which its plans and collations are read */
    private Future<Replayed> compare(Databases on, CapturedStatement statement, List<Execution> executions,
            Map<String, String> sessionSettings) {
        ResponseComparison.Result result = new ResponseComparison(OrderByClause.ordersResult(statement.text()),
                settings.floatTolerance()).compare(executions);
        // Timed only where all three runs answered rows, so that each side has as many samples as the others.
        List<LatencyComparison.Timing> timings = new ArrayList<>();
        Optional<Outcome.Rows> answered = Optional.empty();
        for (Execution execution : executions) {
            if (execution.source() instanceof Outcome.Rows rows && execution.target() instanceof Outcome.Rows
                    && execution.baseline() instanceof Outcome.Rows) {
                answered = answered.or(() -> Optional.of(rows));
                timings.add(new LatencyComparison.Timing(execution.source().micros(), execution.target().micros(),
                        execution.baseline().micros()));
            }
        }
        Latency sourceLatency = latency(timings, LatencyComparison.Timing::source);
        Latency targetLatency = latency(timings, LatencyComparison.Timing::target);
        Latency baselineLatency = latency(timings, LatencyComparison.Timing::baseline);
        String firstSql = executions.get(0).sql();
        List<Future<Optional<Finding>>> findings = new ArrayList<>();
        for (Difference difference : result.differences()) {
            findings.add(difference.kind() == FindingKind.COLLATION && answered.isPresent()
                    ? collationFinding(on, statement, firstSql, sessionSettings, answered.get().columns(), difference)
                    : Future.succeededFuture(Optional.of(finding(statement, difference))));
        }
        if (answered.isPresent()) {
            findings.add(Future.succeededFuture(latencyFinding(statement, timings, sourceLatency, targetLatency)));
            findings.add(planFinding(on, statement, firstSql, sessionSettings));
        }
        return Future.all(findings).map(done -> {
            List<Finding> found = findings.stream().map(Future::result).flatMap(Optional::stream)
                    .sorted(Comparator.comparing(Finding::kind)).toList();
            StatementVerdict verdict = found.stream().map(f -> StatementVerdict.of(f.kind()))
                    .max(Comparator.naturalOrder())
                    .orElse(result.compared() > 0 ? StatementVerdict.SAME : StatementVerdict.NOT_COMPARABLE);
            String reason = switch (verdict) {
                case SAME -> "the target answered as the source in " + result.compared() + " replays";
                case NOT_COMPARABLE -> result.noisy() > 0
                        ? "the source answered differently on each run (" + result.noisy() + " of "
                                + executions.size() + " replays): nothing to compare against"
                        : "no replay got an answer from both databases";
                default -> found.size() + (found.size() == 1 ? " finding" : " findings");
            };
            return new Replayed(new StatementReport(statement.fingerprint(), statement.text(),
                    statement.statementClass(), statement.calls(), result.compared(), result.noisy(), verdict, reason,
                    result.masked(), sourceLatency, targetLatency, baselineLatency), found);
        });
    }

    private Optional<Finding> latencyFinding(CapturedStatement statement, List<LatencyComparison.Timing> timings,
            Latency onSource, Latency onTarget) {
        return new LatencyComparison(settings.latencyRatio(), settings.latencyShare(), settings.latencyMinSamples(),
                settings.latencyMinDifference().toNanos() / 1_000).regression(timings)
                .map(evidence -> new Finding(FindingKind.LATENCY, statement.fingerprint(), statement.text(),
                        onSource.toString(), onTarget.toString(), evidence));
    }

    private static Latency latency(List<LatencyComparison.Timing> timings,
            Function<LatencyComparison.Timing, Long> side) {
        return timings.isEmpty() ? null : Latency.of(timings.stream().map(side).toList());
    }

    /** The difference told with the collation of each column involved, on each side; as it is when that fails. */
    private static Future<Optional<Finding>> collationFinding(Databases on, CapturedStatement statement, String sql,
            Map<String, String> settings, List<Column> columns, Difference difference) {
        Future<List<String>> onSource = on.source().collations(sql, settings, columns.size());
        Future<List<String>> onTarget = on.target().collations(sql, settings, columns.size());
        return Future.join(onSource, onTarget).transform(done -> {
            String sourceSide = difference.source();
            String targetSide = difference.target();
            if (onSource.succeeded() && onTarget.succeeded()) {
                sourceSide = collations(columns, difference.collatedColumns(), onSource.result()) + "; " + sourceSide;
                targetSide = collations(columns, difference.collatedColumns(), onTarget.result()) + "; " + targetSide;
            }
            return Future.succeededFuture(Optional.of(finding(statement, new Difference(difference.kind(),
                    sourceSide, targetSide, difference.evidence(), difference.collatedColumns()))));
        });
    }

    private static String collations(List<Column> columns, List<String> involved, List<String> collations) {
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            if (involved.contains(columns.get(c).name())) {
                parts.add(columns.get(c).name() + " collates by " + collations.get(c));
            }
        }
        return String.join(", ", parts);
    }

    /** A plan finding when the target's plan has another shape and a dearer estimate; none when EXPLAIN fails. */
    private Future<Optional<Finding>> planFinding(Databases on, CapturedStatement statement, String sql,
            Map<String, String> sessionSettings) {
        // Never for writes, even on the scratch copies: the issue allows ANALYZE, which executes, for reads only.
        boolean analyzed = settings.explainAnalyze() && statement.statementClass().equals(READ);
        Future<PlanShape> onSource = on.source().explain(sql, sessionSettings, analyzed);
        Future<PlanShape> onTarget = on.target().explain(sql, sessionSettings, analyzed);
        return Future.join(onSource, onTarget).transform(done -> {
            if (onSource.failed() || onTarget.failed()
                    || !onSource.result().regressedTo(onTarget.result(), settings.planCostRatio())) {
                return Future.succeededFuture(Optional.empty());
            }
            PlanShape before = onSource.result();
            PlanShape after = onTarget.result();
            String evidence = String.format(Locale.ROOT, "another plan, estimated %.1f× as costly (%.2f against %.2f)",
                    after.totalCost() / Math.max(0.01, before.totalCost()), after.totalCost(), before.totalCost());
            if (before.analyzed() && after.analyzed()) {
                evidence += String.format(Locale.ROOT, "; it ran in %.3f ms against %.3f ms (EXPLAIN ANALYZE)",
                        after.actualMillis(), before.actualMillis());
            }
            return Future.succeededFuture(Optional.of(new Finding(FindingKind.PLAN, statement.fingerprint(),
                    statement.text(), before.rendered(), after.rendered(), evidence)));
        });
    }

    private static Finding finding(CapturedStatement statement, Difference difference) {
        return new Finding(difference.kind(), statement.fingerprint(), statement.text(), difference.source(),
                difference.target(), difference.evidence());
    }

    private static Replayed notComparable(CapturedStatement statement, String reason) {
        return new Replayed(new StatementReport(statement.fingerprint(), statement.text(), statement.statementClass(),
                statement.calls(), 0, 0, StatementVerdict.NOT_COMPARABLE, reason, List.of(), null, null, null),
                List.of());
    }
}
