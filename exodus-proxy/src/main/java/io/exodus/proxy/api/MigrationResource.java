package io.exodus.proxy.api;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.capture.RecommendationPuller;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.ControlState;
import io.exodus.proxy.control.Replica;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.migration.AnalyzerRecommendations;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.monitoring.ReplicationLag;
import io.exodus.proxy.monitoring.ReplicationLagProbe;
import io.exodus.proxy.sync.SyncService;
import io.exodus.proxy.sync.SyncStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * The migration as an operator sees it: phase, policy, divergences, replay queue, replication lag; and the changes
 * this version offers at run time, the consistency policy (for new transactions) and the canary share. Changes need {@code Authorization: Bearer <exodus.admin.token>}.
 */
@Path("/exodus/migration")
@Produces(MediaType.APPLICATION_JSON)
public class MigrationResource {
    private static final Logger LOG = Logger.getLogger(MigrationResource.class);
    /** Who makes a change, for the audit log: a person's or a script's name. */
    static final String ACTOR_HEADER = "X-Exodus-Actor";

    private final MigrationState migration;
    private final DivergenceLog divergences;
    private final TwoPhaseRecovery recovery;
    private final ExodusConfig config;
    private final io.exodus.proxy.catchup.CatchUpApplier replayer;
    private final ReplicationLagProbe replicationLag;
    private final CaptureTap capture;
    private final RecommendationPuller recommendations;
    private final BackendEndpoints endpoints;
    private final ControlPlane control;
    private final SyncService sync;

    public MigrationResource(MigrationState migration, DivergenceLog divergences, TwoPhaseRecovery recovery,
            ExodusConfig config, io.exodus.proxy.catchup.CatchUpApplier replayer, ReplicationLagProbe replicationLag,
            CaptureTap capture, RecommendationPuller recommendations, BackendEndpoints endpoints,
            ControlPlane control, SyncService sync) {
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
     */
    public record Status(String phase, String primary, String policy, double canaryPercent,
            Map<String, Double> divergences, List<Divergence> recent, List<String> statementsNeedingVerification,
            io.exodus.proxy.catchup.CatchUpStatus replay, Map<String, List<ReplicationLag>> replication,
            Analyzer analyzer, Control control, List<Replica> replicas, SyncStatus sync) {
    }

    /**
     * The fleet's state in the control database, as this replica last read it.
     *
     * @param replica this replica's id in {@code replicas}
     * @param state   null while the control database could not be read
     */
    public record Control(boolean enabled, String fleet, String replica, ControlState state) {
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

    public record Problem(String error) {
    }

    @GET
    public Uni<Response> status(@HeaderParam("Authorization") String authorization) {
        if (config.admin().token().isPresent() && !authorized(authorization)) {
            return Uni.createFrom().item(
                    problem(Response.Status.UNAUTHORIZED, "a valid bearer token (exodus.admin.token) is required"));
        }
        Future<io.exodus.proxy.catchup.CatchUpStatus> replay = replayer.active() ? replayer.status()
                : Future.succeededFuture();
        Future<List<Replica>> replicas = control.enabled()
                ? control.replicas().otherwise(failure -> List.of()) : Future.succeededFuture(List.of());
        return Uni.createFrom().completionStage(Future.all(replay, replicas).toCompletionStage())
                .map(both -> statusWith(replay.result(), replicas.result()));
    }

    private Response statusWith(io.exodus.proxy.catchup.CatchUpStatus replay, List<Replica> replicas) {
        Map<String, Double> counts = new java.util.LinkedHashMap<>();
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            counts.put(kind.tag(), divergences.count(kind));
        }
        List<Divergence> recent = divergences.recent();
        return Response.ok(new Status(migration.phase().configName(), "source", migration.policy().configName(),
                migration.canaryPercent(), counts,
                recent.subList(0, Math.min(20, recent.size())), divergences.needingVerification(), replay,
                replicationLag.latest(), analyzer(), new Control(control.enabled(), config.control().fleet(),
                        control.replicaId(), control.last()), replicas, sync.status().orElse(null))).build();
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
    public Response pullRecommendations(@HeaderParam("Authorization") String authorization) {
        if (config.admin().token().isEmpty()) {
            return problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API");
        }
        if (!authorized(authorization)) {
            return problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required");
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
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePolicy(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, PolicyChange change) {
        if (config.admin().token().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API"));
        }
        if (!authorized(authorization)) {
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required"));
        }
        ConsistencyPolicy policy;
        try {
            policy = ConsistencyPolicy.fromConfig(change == null || change.policy() == null ? "" : change.policy());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, e.getMessage()));
        }
        String reason = change.reason();
        if (!policy.usesTwoPhaseCommit()) {
            return commit(ControlSetting.POLICY, "policy", policy.configName(), () -> migration.changePolicy(policy),
                    actor, reason);
        }
        // Two-phase commit needs prepared transactions on both servers and the recovery sweep running first.
        return twoPhaseCommitReady("Policy change to two-phase-commit").chain(refusal -> refusal != null
                ? Uni.createFrom().item(refusal)
                : commit(ControlSetting.POLICY, "policy", policy.configName(), () -> migration.changePolicy(policy),
                        actor, reason));
    }

    @PUT
    @Path("/canary")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changeCanary(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, CanaryChange change) {
        if (config.admin().token().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API"));
        }
        if (!authorized(authorization)) {
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required"));
        }
        if (migration.phase() != MigrationPhase.CANARY) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "canary reads need phase canary "
                    + "(PUT /exodus/migration/phase); this proxy runs in phase " + migration.phase().configName()));
        }
        if (change == null || change.percent() == null || !(change.percent() >= 0 && change.percent() <= 100)) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, "give {\"percent\": <0 to 100>}"));
        }
        double percent = change.percent();
        return commit(ControlSetting.CANARY_PERCENT, "percent", String.valueOf(percent),
                () -> migration.changeCanaryPercent(percent), actor, change.reason());
    }

    /**
     * Moves the migration to another phase while the proxy runs: new sessions start in it, open sessions follow between
     * two of their transactions (a session in phase direct that turns to dual-write has its settings and prepared
     * statements set up on the target first). Answers once the phase is in effect for new transactions.
     */
    @PUT
    @Path("/phase")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePhase(@HeaderParam("Authorization") String authorization,
            @HeaderParam(ACTOR_HEADER) String actor, PhaseChange change) {
        if (config.admin().token().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API"));
        }
        if (!authorized(authorization)) {
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required"));
        }
        MigrationPhase phase;
        try {
            phase = MigrationPhase.fromConfig(change == null || change.phase() == null ? "" : change.phase());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST, e.getMessage()));
        }
        if (phase.writesBothDatabases() && endpoints.target().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.CONFLICT, "phase " + phase.configName()
                    + " writes to a target, and none is configured: set exodus.target.url (EXODUS_TARGET_URL) and "
                    + "restart the proxy"));
        }
        String reason = change.reason();
        if (!phase.writesBothDatabases() || !migration.policy().usesTwoPhaseCommit()) {
            return commit(ControlSetting.PHASE, "phase", phase.configName(), () -> migration.changePhase(phase), actor,
                    reason);
        }
        return twoPhaseCommitReady("Phase change to " + phase.configName()).chain(refusal -> refusal != null
                ? Uni.createFrom().item(refusal)
                : commit(ControlSetting.PHASE, "phase", phase.configName(), () -> migration.changePhase(phase),
                        actor, reason));
    }

    /**
     * Makes the change: for the whole fleet through the control plane when it is on (the answer says which replicas
     * applied it), in this replica's memory otherwise.
     */
    private Uni<Response> commit(ControlSetting setting, String field, String value, Runnable locally, String actor,
            String reason) {
        if (!control.enabled()) {
            locally.run();
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put(field, setting == ControlSetting.CANARY_PERCENT ? (Object) Double.valueOf(value) : value);
            return Uni.createFrom().item(Response.ok(body).build());
        }
        String who = actor == null || actor.isBlank() ? "admin API" : actor;
        return Uni.createFrom().completionStage(control.change(setting, value, who, reason).toCompletionStage())
                .map(change -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put(field, setting == ControlSetting.CANARY_PERCENT ? (Object) Double.valueOf(value) : value);
                    body.put("version", change.version());
                    body.put("appliedBy", change.appliedBy());
                    body.put("pending", change.pending());
                    return Response.ok(body).build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Change of %s to %s not made: %s", setting.auditName(), value, failure.getMessage());
                    return problem(Response.Status.SERVICE_UNAVAILABLE, "the fleet's state on the source could not "
                            + "be changed (" + failure.getMessage() + "); nothing was changed, try again");
                });
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

    private static Response problem(Response.Status status, String message) {
        return Response.status(status).entity(new Problem(message)).build();
    }
}
