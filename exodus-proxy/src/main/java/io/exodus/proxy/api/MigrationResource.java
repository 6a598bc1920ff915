package io.exodus.proxy.api;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.capture.RecommendationPuller;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.catchup.CatchUpStatus;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.control.ControlChange;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.ControlState;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.control.Replica;
import io.exodus.proxy.cutover.BypassDetector;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.cutover.SwitchRefused;
import io.exodus.proxy.cutover.SwitchReport;
import io.exodus.proxy.loginsettings.LoginSettings;
import io.exodus.proxy.migration.AnalyzerRecommendations;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.monitoring.ReplicationLag;
import io.exodus.proxy.monitoring.ReplicationLagProbe;
import io.exodus.proxy.shadow.ShadowReads;
import io.exodus.proxy.shadow.ShadowStatus;
import io.exodus.proxy.strategy.Strategy;
import io.exodus.proxy.strategy.StrategyProgress;
import io.exodus.proxy.strategy.StrategyRefused;
import io.exodus.proxy.strategy.StrategyRunner;
import io.exodus.proxy.sync.SyncService;
import io.exodus.proxy.sync.SyncStatus;
import io.exodus.proxy.traffic.WritePathChange;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The migration as an operator sees it: phase, primary, policy, divergences, replay queue, replication lag; and the
 * changes it offers at run time: the consistency policy (for new transactions), the canary share, the phase, and the
 * moves of the primary (cutover, rollback, the source's retirement, see {@link PrimarySwitch}). Changes need
 * {@code Authorization: Bearer <exodus.admin.token>}.
 */
@Path("/exodus/migration")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "migration", description = "The migration's state, and the changes every replica obeys")
public class MigrationResource {
    private static final Logger LOG = Logger.getLogger(MigrationResource.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper REASONS =
            new com.fasterxml.jackson.databind.ObjectMapper();
    /** Who makes a change, for the audit log: a person's or a script's name. */
    static final String ACTOR_HEADER = "X-Exodus-Actor";

    private final MigrationState migration;
    private final DivergenceLog divergences;
    private final TwoPhaseRecovery recovery;
    private final ExodusConfig config;
    private final CatchUpApplier replayer;
    private final ReplicationLagProbe replicationLag;
    private final CaptureTap capture;
    private final RecommendationPuller recommendations;
    private final BackendEndpoints endpoints;
    private final ControlPlane control;
    private final SyncService sync;
    private final PrimarySwitch primarySwitch;
    private final MigrationChanges changes;
    private final StrategyRunner strategies;
    private final WritePathChange writePath;
    private final BypassDetector bypass;
    private final ShadowReads shadow;
    private final Vertx vertx;

    public MigrationResource(MigrationState migration, DivergenceLog divergences, TwoPhaseRecovery recovery,
            ExodusConfig config, CatchUpApplier replayer, ReplicationLagProbe replicationLag,
            CaptureTap capture, RecommendationPuller recommendations, BackendEndpoints endpoints,
            ControlPlane control, SyncService sync, PrimarySwitch primarySwitch, MigrationChanges changes,
            StrategyRunner strategies, WritePathChange writePath, BypassDetector bypass, ShadowReads shadow,
            Vertx vertx) {
        this.vertx = vertx;
        this.bypass = bypass;
        this.shadow = shadow;
        this.writePath = writePath;
        this.changes = changes;
        this.strategies = strategies;
        this.primarySwitch = primarySwitch;
        this.endpoints = endpoints;
        this.control = control;
        this.sync = sync;
        this.capture = capture;
        this.recommendations = recommendations;
        this.replayer = replayer;
        this.replicationLag = replicationLag;
        this.migration = migration;
        this.divergences = divergences;
        this.recovery = recovery;
        this.config = config;
    }

    /**
     * @param canaryPercent the share of reads outside transactions that go to the target (phase canary)
     * @param replay        the replay queue; null in phase direct
     * @param replication   the last replication-lag reading of each database (source; target in the phases that
     *                      write to it), by endpoint; a database whose reading failed is left out, and all are with
     *                      {@code exodus.metrics.enabled=false}, which turns the readings off
     * @param analyzer      capture to the analyzer and its recommendations
     * @param sync          the running or last initial sync ({@code POST /exodus/migration/sync}); null when none
     *                      was started since this proxy started
     * @param primary       {@code source} or {@code target}: the database whose answers reach the client
     * @param lastSwitch    the last cutover, rollback or retirement of the source this replica made; null when none
     * @param strategy      the running or last strategy this replica ran ({@code PUT /exodus/migration/strategy});
     *                      null when none was started since it started
     * @param bypassGuard   the application's roles on the source and the clients seen on the target without Exodus
     *                      (docs/cutover.md); null with {@code exodus.migration.cutover.bypass-guard.enabled=false}
     * @param shadow        reads compared on both databases (strategies shadow and blue-green): counts since this
     *                      proxy started and the last mismatches
     * @param tenantKey     what names a session's tenant ({@code exodus.migration.tenant-key})
     * @param tenants       the tenants with a share of reads of their own in phase canary (user-by-user), in percent
     */
    public record Status(String phase, String primary, String policy, double canaryPercent,
            Map<String, Double> divergences, List<Divergence> recent, List<String> statementsNeedingVerification,
            CatchUpStatus replay, Map<String, List<ReplicationLag>> replication,
            Analyzer analyzer, Control control, List<Replica> replicas, SyncStatus sync, SwitchReport lastSwitch,
            StrategyProgress strategy, BypassDetector.Report bypassGuard, ShadowStatus shadow, String tenantKey,
            Map<String, Double> tenants, Databases databases) {
    }

    /**
     * The databases the migration moves: sessions on any other are relayed to the source alone in every phase.
     *
     * @param all   every database (the default); {@code names} is empty then
     * @param names the databases, when not every one (the initial sync's: the one it copied)
     */
    public record Databases(boolean all, List<String> names) {
    }

    /**
     * The fleet's state in the control database, as this replica last read it.
     *
     * @param replica this replica's id in {@code replicas}
     * @param state   null while the control database could not be read
     * @param stale   whether this replica could not confirm the fleet's state for {@code exodus.control.stale-after}:
     *                it serves reads by {@code state} and refuses writes (57P03) until it confirms it again
     */
    public record Control(boolean enabled, String fleet, String replica, ControlState state, boolean stale) {
    }

    /**
     * The analyzer as this proxy sees it.
     *
     * @param capture         what was shipped and dropped
     * @param pulls           the last pull of recommendations and its problem, if any
     * @param recommendations the last recommendations pulled: the pinned statements are in force (phase canary keeps
     *                        them on the source); the policy, strategy and settings wait for an operator to confirm
     *                        ({@code PUT /exodus/migration/policy}, the target's configuration); null until pulled
     */
    public record Analyzer(CaptureTap.Status capture, RecommendationPuller.Status pulls,
            AnalyzerRecommendations recommendations) {
    }

    /** @param reason why, for the audit log (optional) */
    public record CanaryChange(Double percent, String reason) {
    }

    /** @param reason why, for the audit log (optional) */
    public record PolicyChange(String policy, String reason) {
    }

    /** @param reason why, for the audit log (optional) */
    public record PhaseChange(String phase, String reason) {
    }

    /**
     * @param reason           why, for the audit log (optional)
     * @param longTransactions {@code abort}, {@code cancel} or {@code wait}: what this cutover or rollback does with the
     *                         transactions still open after {@code exodus.migration.cutover.timeout} (optional:
     *                         {@code exodus.migration.cutover.long-transactions})
     */
    public record SwitchRequest(String reason, String longTransactions) {
    }

    private static final SwitchRequest NO_REQUEST = new SwitchRequest(null, null);

    /** A request whose body names no valid choice: 400. */
    private static final class BadSwitchRequest extends RuntimeException {
        BadSwitchRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param strategy {@code big-bang}, {@code canary}, {@code blue-green}, {@code user-by-user} or {@code shadow} to
     *                 start one, {@code none} to stop the running one
     * @param tenants  user-by-user's tenants in the order they move (optional: {@code exodus.strategy.tenants})
     * @param reason   why, for the audit log (optional)
     */
    public record StrategyChange(String strategy, List<String> tenants, String reason) {
    }

    public record Problem(String error) {
    }

    @GET
    @Operation(summary = "The migration as this replica sees it: phase, primary, policy, canary share, replicas, sync, "
            + "divergences, catch-up queue, replication lag")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Status.class)))
    @APIResponse(responseCode = "401", description = "A token is configured and the request does not carry it")
    public Uni<Response> status(@HeaderParam("Authorization") String authorization) {
        if (config.admin().token().isPresent() && !authorized(authorization)) {
            return Uni.createFrom().item(
                    problem(Response.Status.UNAUTHORIZED, "a valid bearer token (exodus.admin.token) is required"));
        }
        Future<CatchUpStatus> replay = replayer.active() ? replayer.status()
                : Future.succeededFuture();
        Future<List<Replica>> replicas = control.enabled()
                ? control.replicas().otherwise(failure -> List.of()) : Future.succeededFuture(List.of());
        // The strategy's progress before the phase: a step records its outcome after its phase change, so a progress
        // read first never shows an outcome whose phase the status does not show yet (a rolled-back run in canary).
        Future<Optional<StrategyProgress>> progress = strategies.fleetProgress();
        return Uni.createFrom().completionStage(Future.all(replay, replicas, progress).toCompletionStage())
                .map(all -> statusWith(replay.result(), replicas.result(), progress.result().orElse(null)));
    }

    private Response statusWith(CatchUpStatus replay, List<Replica> replicas, StrategyProgress progress) {
        Map<String, Double> counts = new LinkedHashMap<>();
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            counts.put(kind.tag(), divergences.count(kind));
        }
        List<Divergence> recent = divergences.recent();
        MigrationPhase phase = migration.phase();
        return Response.ok(new Status(phase.configName(), phase.primary().configName(),
                migration.policy().configName(),
                migration.canaryPercent(), counts,
                recent.subList(0, Math.min(20, recent.size())), divergences.needingVerification(), replay,
                replicationLag.latest(), analyzer(), new Control(control.enabled(), config.control().fleet(),
                        control.replicaId(), control.last(), control.enabled() && control.stale()), replicas, sync.status().orElse(null),
                primarySwitch.last().orElse(null), progress, bypass.report(), shadow.status(),
                migration.tenantKey().configName(), migration.tenantReads().shares(),
                new Databases(migration.databases().all(), migration.databases().list()))).build();
    }

    private Analyzer analyzer() {
        return new Analyzer(capture.status(), recommendations.status(), migration.recommendations().orElse(null));
    }

    /**
     * Pulls the analyzer's recommendations now (they are pulled every {@code exodus.capture.recommendations-interval}
     * anyway) and answers with what the proxy then shows; 502 when the analyzer could not be read.
     */
    @POST
    @Path("/recommendations")
    @Operation(summary = "Pulls the analyzer's recommendations now")
    public Response pullRecommendations(@HeaderParam("Authorization") String authorization) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return refused;
        }
        if (!recommendations.enabled()) {
            return problem(Response.Status.CONFLICT, "no analyzer: set exodus.capture.analyzer-url "
                    + "(EXODUS_CAPTURE_ANALYZER_URL)");
        }
        String failure = recommendations.pull();
        if (failure != null) {
            return problem(Response.Status.BAD_GATEWAY, failure);
        }
        return Response.ok(analyzer()).build();
    }

    @PUT
    @Path("/policy")
    @Operation(summary = "Changes the consistency policy for new transactions on every replica")
    @APIResponse(responseCode = "200", description = "In effect; with the control plane on, which replicas applied it")
    @APIResponse(responseCode = "400", description = "Not a policy: the answer names the choices")
    @APIResponse(responseCode = "409", description = "two-phase-commit, and a server cannot prepare transactions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePolicy(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, PolicyChange change) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return Uni.createFrom().item(refused);
        }
        ConsistencyPolicy policy;
        try {
            policy = ConsistencyPolicy.fromConfig(change == null || change.policy() == null ? "" : change.policy());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, e.getMessage()));
        }
        String reason = change.reason();
        if (policy.usesTwoPhaseCommit() && migration.phase().primary() == Side.TARGET) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "two-phase-commit keeps its commit "
                    + "decisions on the source, and the target is the primary now (phase "
                    + migration.phase().configName() + "); it is available before the cutover"));
        }
        if (!policy.usesTwoPhaseCommit()) {
            return commit(ControlSetting.POLICY, "policy", policy.configName(), actor, reason);
        }
        // Two-phase commit needs prepared transactions on both servers and the recovery sweep running first.
        return twoPhaseCommitReady("Policy change to two-phase-commit").chain(refusal -> refusal != null
                ? Uni.createFrom().item(refusal)
                : commit(ControlSetting.POLICY, "policy", policy.configName(), actor, reason));
    }

    @PUT
    @Path("/canary")
    @Operation(summary = "Changes the share of reads the target answers in phase canary, on every replica")
    @APIResponse(responseCode = "409", description = "The phase is not canary")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changeCanary(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, CanaryChange change) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return Uni.createFrom().item(refused);
        }
        if (migration.phase() != MigrationPhase.CANARY) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "canary reads need phase canary "
                    + "(PUT /exodus/migration/phase); this proxy runs in phase " + migration.phase().configName()));
        }
        if (change == null || change.percent() == null || !(change.percent() >= 0 && change.percent() <= 100)) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, "give {\"percent\": <0 to 100>}"));
        }
        double percent = change.percent();
        return commit(ControlSetting.CANARY_PERCENT, "percent", String.valueOf(percent), actor, change.reason());
    }

    /**
     * Moves the migration to another phase while the proxy runs: new sessions start in it, open sessions follow between
     * two of their transactions (a session in phase direct that turns to dual-write has its settings and prepared
     * statements set up on the target first). Answers once the phase is in effect for new transactions.
     */
    @PUT
    @Path("/phase")
    @Operation(summary = "Moves the migration to another phase; open sessions follow between their transactions")
    @APIResponse(responseCode = "409", description = "The phase needs a target, two-phase commit cannot be used, or the "
            + "target's login settings differ from the source's")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePhase(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, PhaseChange change) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return Uni.createFrom().item(refused);
        }
        MigrationPhase phase;
        try {
            phase = MigrationPhase.fromConfig(change == null || change.phase() == null ? "" : change.phase());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, e.getMessage()));
        }
        if (phase.usesTarget() && endpoints.target().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "phase " + phase.configName()
                    + " needs a target, and none is configured: set exodus.target.url (EXODUS_TARGET_URL) and "
                    + "restart the proxy"));
        }
        String moved = primaryMoveRefusal(migration.phase(), phase);
        if (moved != null) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, moved));
        }
        String reason = change.reason();
        if (migration.phase().writesBothDatabases() || !phase.writesBothDatabases()) {
            return changePhaseReady(phase, actor, reason);
        }
        return loginSettingsRefusal(phase).chain(refusal -> refusal != null ? Uni.createFrom().item(refusal)
                : changePhaseReady(phase, actor, reason));
    }

    private Uni<Response> changePhaseReady(MigrationPhase phase, String actor, String reason) {
        if (!phase.writesBothDatabases() || !migration.policy().usesTwoPhaseCommit()) {
            return enterPhase(phase, actor, reason);
        }
        return twoPhaseCommitReady("Phase change to " + phase.configName()).chain(refusal -> refusal != null
                ? Uni.createFrom().item(refusal) : enterPhase(phase, actor, reason));
    }

    /**
     * Before writes start going to both databases: a 409 when the target's databases or roles would give sessions
     * other value-changing settings at login than the source's ({@link LoginSettings}), under which the statements
     * dual-write runs on the target would read and write other values, silently; null when they match.
     */
    private Uni<Response> loginSettingsRefusal(MigrationPhase phase) {
        ControlConnections connections = new ControlConnections(vertx);
        Future<Response> refusal = LoginSettings.differences(connections.to(endpoints.source()),
                connections.to(endpoints.target().orElseThrow()), migration.databases()::includes)
                .map(differences -> differences.isEmpty()
                        ? null : problem(Response.Status.CONFLICT, "phase " + phase.configName() + " would run the "
                                + "sessions' statements on the target under other login settings than on the source "
                                + "(ALTER DATABASE/ROLE … SET), and they would read and write other values there: "
                                + String.join("; ", differences) + ". Run those statements on the target first, or "
                                + "leave those databases out of the migration (exodus.migration.databases)"))
                .recover(failure -> Future.succeededFuture(problem(Response.Status.CONFLICT, "the login settings of "
                        + "the source and the target could not be compared (" + failure.getMessage() + "); phase "
                        + phase.configName() + " is not entered")))
                .eventually(() -> connections.closeAll());
        return Uni.createFrom().completionStage(refusal.toCompletionStage());
    }

    /**
     * A change that starts or stops the target's writes is made under a pause of the fleet's new transactions (see
     * {@link WritePathChange}); the others, and every change of a replica on its own, at once.
     */
    private Uni<Response> enterPhase(MigrationPhase phase, String actor, String reason) {
        if (!changes.fleetWide() || !WritePathChange.needed(migration.phase(), phase)) {
            return commit(ControlSetting.PHASE, "phase", phase.configName(), actor, reason);
        }
        return Uni.createFrom().completionStage(() -> writePath.change(phase, config.migration().cutover().timeout(),
                        actorOf(actor), reason).toCompletionStage())
                .map(made -> {
                    Map<String, Object> body = changed("phase", phase.configName(), made.change());
                    body.put("pauseMs", made.pauseMillis());
                    return Response.ok(body).build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Change of phase to %s not made: %s", phase.configName(), failure.getMessage());
                    return problem(Response.Status.CONFLICT, failure.getMessage());
                });
    }

    /**
     * Why an explicit phase change may not go from {@code from} to {@code to}, or null: a move of the primary, and the
     * source's retirement, are procedures of their own (pause, sequences, gates); and a retired source has missed the
     * writes since.
     */
    static String primaryMoveRefusal(MigrationPhase from, MigrationPhase to) {
        if (from == to) {
            return null;
        }
        if (from == MigrationPhase.SOURCE_RETIRED) {
            return "the source was retired: it has not received the writes made since, so the migration cannot "
                    + "return to a phase that uses it";
        }
        if (to == MigrationPhase.SOURCE_RETIRED) {
            return "the source is retired with POST /exodus/migration/retire-source, from phase cutover";
        }
        if (from.primary() != to.primary()) {
            return to.primary() == Side.TARGET
                    ? "the target becomes the primary with POST /exodus/migration/cutover, which pauses new "
                            + "transactions, checks that the target has every write and sets its sequences first"
                    : "the source becomes the primary again with POST /exodus/migration/rollback, which pauses new "
                            + "transactions and sets its sequences first";
        }
        return null;
    }

    /**
     * Starts a strategy, which then walks the migration through its steps by itself (each watched by health gates,
     * rolled back to the source when one fails), or stops the running one with {@code "none"}.
     */
    @PUT
    @Path("/strategy")
    @Operation(summary = "Starts a strategy (big-bang, canary, blue-green, user-by-user, shadow) from dual-write or "
            + "canary, or stops the running one")
    @APIResponse(responseCode = "200", description = "Started (or stopped): its progress, also in GET's \"strategy\"",
            content = @Content(schema = @Schema(implementation = StrategyProgress.class)))
    @APIResponse(responseCode = "400", description = "Not a strategy: the answer names the choices")
    @APIResponse(responseCode = "409", description = "Not now: the answer says why; nothing was changed")
    @APIResponse(responseCode = "503", description = "The fleet's run could not be recorded on the source; nothing was "
            + "started")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changeStrategy(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, StrategyChange change) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return Uni.createFrom().item(refused);
        }
        String name = change == null || change.strategy() == null ? "" : change.strategy();
        try {
            if (name.equals("none")) {
                return Uni.createFrom().completionStage(strategies.stop(actorOf(actor), change.reason())
                        .toCompletionStage()).map(progress -> Response.ok(progress).build());
            }
            List<String> tenants = change.tenants() == null ? List.of() : change.tenants();
            return Uni.createFrom().completionStage(strategies.start(Strategy.fromConfig(name), tenants,
                    actorOf(actor)).toCompletionStage()).map(progress -> Response.ok(progress).build())
                    .onFailure(StrategyRefused.class).recoverWithItem(notNow -> problem(Response.Status.CONFLICT,
                            notNow.getMessage()))
                    .onFailure().recoverWithItem(failure -> problem(Response.Status.SERVICE_UNAVAILABLE, "the fleet's "
                            + "strategy run could not be recorded on the source (" + failure.getMessage() + "); nothing "
                            + "was started, try again"));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST,
                    e.getMessage() + ", or none to stop the running one"));
        } catch (StrategyRefused e) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, e.getMessage()));
        }
    }

    @POST
    @Path("/cutover")
    @Operation(summary = "Makes the target the primary; the source keeps receiving every write, for a rollback")
    @APIResponse(responseCode = "200", description = "Done: the report of the switch, with its pause",
            content = @Content(schema = @Schema(implementation = SwitchReport.class)))
    @APIResponse(responseCode = "400", description = "longTransactions names no choice (abort, cancel, wait); nothing "
            + "was changed")
    @APIResponse(responseCode = "409", description = "Not now: the answer says what to do (a gate failed, or the "
            + "transactions in flight did not end within exodus.migration.cutover.timeout; nothing was changed)")
    @APIResponse(responseCode = "503", description = "A database could not be asked; nothing was changed")
    @Consumes(MediaType.WILDCARD) // the body, {"reason": …}, is optional
    public Uni<Response> cutover(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, String body) {
        return switched(authorization, () -> atTimeoutOf(body).compose(atTimeout -> primarySwitch.cutover(
                actorOf(actor), reasonOf(body), atTimeout)));
    }

    @POST
    @Path("/rollback")
    @Operation(summary = "Makes the source the primary again, from canary or cutover, losing no write")
    @APIResponse(responseCode = "200", description = "Done: the report of the switch, with its pause",
            content = @Content(schema = @Schema(implementation = SwitchReport.class)))
    @APIResponse(responseCode = "400", description = "longTransactions names no choice (abort, cancel, wait); nothing "
            + "was changed")
    @APIResponse(responseCode = "409", description = "Not now: the answer says why; nothing was changed")
    @APIResponse(responseCode = "503", description = "A database could not be asked; nothing was changed")
    @Consumes(MediaType.WILDCARD) // the body, {"reason": …}, is optional
    public Uni<Response> rollback(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, String body) {
        return switched(authorization, () -> atTimeoutOf(body).compose(atTimeout -> primarySwitch.rollback(
                actorOf(actor), reasonOf(body), atTimeout)));
    }

    @POST
    @Path("/retire-source")
    @Operation(summary = "Stops writing to the source, from cutover: Exodus relays to the target alone")
    @APIResponse(responseCode = "200", description = "Done",
            content = @Content(schema = @Schema(implementation = SwitchReport.class)))
    @APIResponse(responseCode = "409", description = "Not now: the answer says why; nothing was changed")
    @Consumes(MediaType.WILDCARD) // the body, {"reason": …}, is optional
    public Uni<Response> retireSource(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, String body) {
        return switched(authorization, () -> primarySwitch.retireSource(actorOf(actor), reasonOf(body)));
    }

    private Uni<Response> switched(String authorization, Supplier<Future<SwitchReport>> move) {
        Response refused = changeRefusal(authorization);
        if (refused != null) {
            return Uni.createFrom().item(refused);
        }
        if (endpoints.target().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "no target is configured: set "
                    + "exodus.target.url (EXODUS_TARGET_URL) and restart the proxy"));
        }
        return Uni.createFrom().completionStage(() -> move.get().toCompletionStage())
                .map(report -> Response.ok(report).build())
                .onFailure().recoverWithItem(failure -> failure instanceof BadSwitchRequest bad
                        ? problem(Response.Status.BAD_REQUEST, bad.getMessage() + "; nothing was changed")
                        : failure instanceof SwitchRefused notMade
                        ? problem(notMade.reason() == SwitchRefused.Reason.NOT_NOW ? Response.Status.CONFLICT
                                : Response.Status.SERVICE_UNAVAILABLE, notMade.getMessage())
                        : problem(Response.Status.SERVICE_UNAVAILABLE, failure.getMessage()
                                + "; traffic resumed in phase " + migration.phase().configName()));
    }

    /** The choice for long transactions the body names, else the configured one. */
    private Future<LongTransactions> atTimeoutOf(String body) {
        String named = requestOf(body).longTransactions();
        try {
            return Future.succeededFuture(named == null ? migration.longTransactions()
                    : LongTransactions.fromConfig(named));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new BadSwitchRequest(e.getMessage()));
        }
    }

    /** The reason of an optional {@code {"reason": …}} body; a body that is not such JSON gives none. */
    private static String reasonOf(String body) {
        return requestOf(body).reason();
    }

    /** The optional body of a switch; one that is not such JSON names nothing. */
    private static SwitchRequest requestOf(String body) {
        if (body == null || body.isBlank()) {
            return NO_REQUEST;
        }
        try {
            SwitchRequest request = REASONS.readValue(body, SwitchRequest.class);
            return request == null ? NO_REQUEST : request;
        } catch (IOException e) {
            return NO_REQUEST;
        }
    }

    /**
     * Makes the change: for the whole fleet through the control plane when it is on (the answer says which replicas
     * applied it), in this replica's memory otherwise.
     */
    private Uni<Response> commit(ControlSetting setting, String field, String value, String actor, String reason) {
        return Uni.createFrom().completionStage(() -> changes.change(setting, value, actorOf(actor), reason)
                        .toCompletionStage())
                .map(change -> {
                    return Response.ok(changed(field, setting == ControlSetting.CANARY_PERCENT
                            ? (Object) Double.valueOf(value) : value, changes.fleetWide() ? change : null)).build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Change of %s to %s not made: %s", setting.auditName(), value, failure.getMessage());
                    return problem(Response.Status.SERVICE_UNAVAILABLE, "the fleet's state on the source could not "
                            + "be changed (" + failure.getMessage() + "); nothing was changed, try again");
                });
    }

    /** The answer to a change: the new value, and for the fleet its version and which replicas applied it. */
    static Map<String, Object> changed(String field, Object value, ControlChange fleetChange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(field, value);
        if (fleetChange != null) {
            body.put("version", fleetChange.version());
            body.put("appliedBy", fleetChange.appliedBy());
            body.put("pending", fleetChange.pending());
        }
        return body;
    }

    /** Null when two-phase commit can be used; otherwise the 409 that says why not. */
    private Uni<Response> twoPhaseCommitReady(String what) {
        return Uni.createFrom().completionStage(recovery.activate().toCompletionStage())
                .map(ready -> (Response) null)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("%s refused: %s", what, failure.getMessage());
                    return problem(Response.Status.CONFLICT, failure.getMessage());
                });
    }

    private boolean authorized(String header) {
        return AdminToken.matches(config, header);
    }

    /** Why a change is refused (no token configured, or not the one the request carries), or null. */
    private Response changeRefusal(String authorization) {
        if (config.admin().token().isEmpty()) {
            return problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API");
        }
        if (!authorized(authorization)) {
            return problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required");
        }
        return null;
    }

    /** Who makes a change, for the audit log: the X-Exodus-Actor header, or the admin API itself. */
    static String actorOf(String header) {
        return header == null || header.isBlank() ? "admin API" : header;
    }

    private static Response problem(Response.Status status, String message) {
        return Response.status(status).entity(new Problem(message)).build();
    }
}
