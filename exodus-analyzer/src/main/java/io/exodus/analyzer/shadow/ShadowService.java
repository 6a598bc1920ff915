package io.exodus.analyzer.shadow;

import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.config.DatabaseUrl;
import io.exodus.analyzer.store.StoreDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts replays and keeps the latest one's report, in memory: a new replay replaces it, a restart forgets it. One
 * replay at a time, so that two cannot double the load on the databases. The connections to the source and the target
 * are the replay's own (read-only sessions, exodus.analyzer.shadow.concurrency of each), opened at the first replay.
 */
@ApplicationScoped
public class ShadowService {
    private static final Logger LOG = Logger.getLogger(ShadowService.class);

    private final AnalyzerConfig config;
    private final StoreDatabase store;
    private final Vertx vertx;
    private final LiveMismatches liveMismatches;
    private final AtomicReference<ShadowReport> latest = new AtomicReference<>(ShadowReport.idle());
    /** The running replay's guard, null when none runs or it is off. */
    private volatile LoadGuard guard;
    private Databases live;
    private Optional<Databases> scratch = Optional.empty();

    ShadowService(AnalyzerConfig config, StoreDatabase store, Vertx vertx, LiveMismatches live) {
        this.config = config;
        this.store = store;
        this.vertx = vertx;
        this.liveMismatches = live;
    }

    /** The latest replay's report, with the proxies' live shadow findings (origin {@code live}) after its own. */
    public ShadowReport report() {
        ShadowReport report = latest.get();
        LoadGuard running = guard;
        ShadowReport shown = report.state() == ReplayState.RUNNING && running != null
                ? report.guarded(running.summary(), config.shadow().concurrency()) : report;
        return shown.withLive(liveMismatches.findings());
    }

    /** Starts a replay and answers its report in state running; refused while another runs. */
    public ShadowReport start(ReplayRequest request) {
        AnalyzerConfig.Shadow settings = config.shadow();
        if (request.writes() == WritesMode.ROLLBACK
                && (settings.scratchSourceUrl().isEmpty() || settings.scratchTargetUrl().isEmpty())) {
            throw new ReplayRefused(ReplayRefused.BAD_REQUEST, "malformed-request", "writes=rollback replays writes "
                    + "on scratch copies of the source and the target, never on the live ones: set "
                    + "exodus.analyzer.shadow.scratch-source-url and exodus.analyzer.shadow.scratch-target-url, or "
                    + "use writes=skip (the default)");
        }
        if (settings.concurrency() < 1 || settings.executionsPerStatement() < 1 || settings.maxStatements() < 1) {
            throw new ReplayRefused(ReplayRefused.UNAVAILABLE, "shadow-unavailable", "exodus.analyzer.shadow."
                    + "concurrency, executions-per-statement and max-statements must each be at least 1");
        }
        AnalyzerConfig.LoadGuard guarding = settings.loadGuard();
        if (guarding.enabled() && (guarding.interval().toMillis() < 1 || !(guarding.latencyRatio() > 0))) {
            throw new ReplayRefused(ReplayRefused.UNAVAILABLE, "shadow-unavailable", "exodus.analyzer.shadow."
                    + "load-guard.interval must be at least 1ms and load-guard.latency-ratio above 0 (or set "
                    + "load-guard.enabled=false)");
        }
        sides();
        OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
        ShadowReport current = latest.get();
        ShadowReport running = ShadowReport.running(request, startedAt);
        if (current.state() == ReplayState.RUNNING || !latest.compareAndSet(current, running)) {
            throw new ReplayRefused(ReplayRefused.CONFLICT, "replay-running", "A replay started at "
                    + latest.get().startedAt() + " is still running: GET /analyzer/shadow shows when it is done");
        }
        LOG.infof("Shadow replay started (since %s, %s, writes=%s, pace=%s)", request.since() == null
                ? "the first capture" : request.since(), request.fingerprints() == null ? "every statement shape"
                : request.fingerprints().size() + " statement shapes", request.writes().wireName(),
                request.pace().wireName());
        Optional<Databases> writesOn = request.writes() == WritesMode.ROLLBACK ? scratch : Optional.empty();
        ReplayPermits permits = new ReplayPermits(settings.concurrency());
        LoadGuard replayGuard = settings.loadGuard().enabled() ? guard(permits, writesOn) : null;
        guard = replayGuard;
        CapturedStatements.read(store.pool(), request.since(), request.fingerprints(), settings.maxStatements(),
                settings.executionsPerStatement())
                .compose(statements -> live.source().typeNames(declaredTypes(statements))
                        .compose(typeNames -> (replayGuard == null ? Future.<Void>succeededFuture()
                                : replayGuard.start())
                                .compose(ready -> new ShadowReplay(live, writesOn, settings, permits, Pacing.of(
                                        request.pace(), vertx, statements.stream()
                                                .flatMap(statement -> statement.executions().stream()).toList()),
                                        typeNames).run(statements, request.pace()))))
                .onComplete(done -> {
                    OffsetDateTime finishedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    LoadGuard.Summary guarded = null;
                    if (replayGuard != null) {
                        replayGuard.close();
                        guarded = replayGuard.summary();
                        guard = null;
                    }
                    if (done.succeeded()) {
                        latest.set(ShadowReport.done(request, startedAt, finishedAt, done.result().statements(),
                                done.result().findings(), guarded));
                        LOG.infof("Shadow replay done: %s", latest.get().message());
                    } else {
                        LOG.error("Shadow replay failed", done.cause());
                        latest.set(ShadowReport.failed(request, startedAt, finishedAt,
                                "The replay stopped: " + done.cause().getMessage()));
                    }
                });
        return running;
    }

    /** Every parameter type OID the captured executions declared, 0 (inferred) left out. */
    private static Set<Long> declaredTypes(List<CapturedStatement> statements) {
        Set<Long> types = new HashSet<>();
        statements.forEach(statement -> statement.executions().forEach(execution -> {
            if (execution.parameterTypes() != null) {
                execution.parameterTypes().stream().filter(oid -> oid != 0).forEach(types::add);
            }
        }));
        return types;
    }

    /**
     * A guard over the databases this replay runs on: the live ones always (reads run there), the scratch copies too
     * when writes run on them.
     */
    private LoadGuard guard(ReplayPermits permits, Optional<Databases> writesOn) {
        AnalyzerConfig.LoadGuard settings = config.shadow().loadGuard();
        Map<String, LoadGuard.Probe> probes = new LinkedHashMap<>();
        probes.put("source", live.source().probe());
        probes.put("target", live.target().probe());
        writesOn.ifPresent(copies -> {
            probes.put("scratch-source", copies.source().probe());
            probes.put("scratch-target", copies.target().probe());
        });
        return new LoadGuard(vertx, probes, permits, new LoadGuard.Settings(settings.interval(),
                settings.latencyRatio(), settings.minLatency()));
    }

    private synchronized void sides() {
        if (live != null) {
            return;
        }
        Optional<String> sourceUrl = config.sourceUrl();
        Optional<String> targetUrl = config.targetUrl();
        if (sourceUrl.isEmpty() || targetUrl.isEmpty()) {
            throw new ReplayRefused(ReplayRefused.UNAVAILABLE, "shadow-unavailable", "Shadow replay needs both "
                    + "databases: set exodus.analyzer.source-url and exodus.analyzer.target-url "
                    + "(EXODUS_ANALYZER_SOURCE_URL, EXODUS_ANALYZER_TARGET_URL)");
        }
        AnalyzerConfig.Shadow settings = config.shadow();
        live = new Databases(
                ReplaySide.live(vertx, url("source", sourceUrl.get()), settings.concurrency(),
                        settings.statementTimeout(), settings.maxRows()),
                ReplaySide.live(vertx, url("target", targetUrl.get()), settings.concurrency(),
                        settings.statementTimeout(), settings.maxRows()));
        if (settings.scratchSourceUrl().isPresent() && settings.scratchTargetUrl().isPresent()) {
            scratch = Optional.of(new Databases(
                    ReplaySide.scratch(vertx, url("scratch-source", settings.scratchSourceUrl().get()),
                            settings.concurrency(), settings.statementTimeout(), settings.maxRows()),
                    ReplaySide.scratch(vertx, url("scratch-target", settings.scratchTargetUrl().get()),
                            settings.concurrency(), settings.statementTimeout(), settings.maxRows())));
        }
    }

    private DatabaseUrl url(String role, String url) {
        return DatabaseUrl.parse(role, url, config.connectTimeout());
    }

    @PreDestroy
    synchronized void close() {
        if (live != null) {
            live.close();
            scratch.ifPresent(Databases::close);
        }
    }
}
