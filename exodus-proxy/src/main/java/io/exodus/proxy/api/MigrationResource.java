package io.exodus.proxy.api;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.capture.CaptureTap;
import io.exodus.proxy.capture.RecommendationPuller;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.Divergence;
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

    private final MigrationState migration;
    private final DivergenceLog divergences;
    private final TwoPhaseRecovery recovery;
    private final ExodusConfig config;
    private final io.exodus.proxy.catchup.CatchUpApplier replayer;
    private final ReplicationLagProbe replicationLag;
    private final CaptureTap capture;
    private final RecommendationPuller recommendations;
    private final BackendEndpoints endpoints;
    private final SyncService sync;

    public MigrationResource(MigrationState migration, DivergenceLog divergences, TwoPhaseRecovery recovery,
            ExodusConfig config, io.exodus.proxy.catchup.CatchUpApplier replayer, ReplicationLagProbe replicationLag,
            CaptureTap capture, RecommendationPuller recommendations, BackendEndpoints endpoints, SyncService sync) {
        this.endpoints = endpoints;
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
    public record Status(String phase, String policy, double canaryPercent, Map<String, Double> divergences,
            List<Divergence> recent, List<String> statementsNeedingVerification,
            io.exodus.proxy.catchup.CatchUpStatus replay, Map<String, List<ReplicationLag>> replication,
            Analyzer analyzer, SyncStatus sync) {
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

    public record CanaryChange(Double percent) {
    }

    public record PolicyChange(String policy) {
    }

    public record PhaseChange(String phase) {
    }

    public record Problem(String error) {
    }

    @GET
    public Uni<Response> status(@HeaderParam("Authorization") String authorization) {
        if (config.admin().token().isPresent() && !authorized(authorization)) {
            return Uni.createFrom().item(
                    problem(Response.Status.UNAUTHORIZED, "a valid bearer token (exodus.admin.token) is required"));
        }
        if (!replayer.active()) {
            return Uni.createFrom().item(statusWith(null));
        }
        return Uni.createFrom().completionStage(replayer.status().toCompletionStage()).map(this::statusWith);
    }

    private Response statusWith(io.exodus.proxy.catchup.CatchUpStatus replay) {
        Map<String, Double> counts = new java.util.LinkedHashMap<>();
        for (Divergence.Kind kind : Divergence.Kind.values()) {
            counts.put(kind.tag(), divergences.count(kind));
        }
        List<Divergence> recent = divergences.recent();
        return Response.ok(new Status(migration.phase().configName(), migration.policy().configName(),
                migration.canaryPercent(), counts,
                recent.subList(0, Math.min(20, recent.size())), divergences.needingVerification(), replay,
                replicationLag.latest(), analyzer(), sync.status().orElse(null))).build();
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
    public Uni<Response> changePolicy(@HeaderParam("Authorization") String authorization, PolicyChange change) {
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
        if (!policy.usesTwoPhaseCommit()) {
            migration.changePolicy(policy);
            return Uni.createFrom().item(Response.ok(new PolicyChange(policy.configName())).build());
        }
        // Two-phase commit needs prepared transactions on both servers and the recovery sweep running first.
        return Uni.createFrom().completionStage(recovery.activate().toCompletionStage())
                .map(ready -> {
                    migration.changePolicy(policy);
                    return Response.ok(new PolicyChange(policy.configName())).build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Policy change to two-phase-commit refused: %s", failure.getMessage());
                    return problem(Response.Status.CONFLICT, failure.getMessage());
                });
    }

    @PUT
    @Path("/canary")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response changeCanary(@HeaderParam("Authorization") String authorization, CanaryChange change) {
        if (config.admin().token().isEmpty()) {
            return problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API");
        }
        if (!authorized(authorization)) {
            return problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required");
        }
        if (migration.phase() != MigrationPhase.CANARY) {
            return problem(Response.Status.CONFLICT, "canary reads need phase canary (exodus.migration.phase); this "
                    + "proxy runs in phase " + migration.phase().configName());
        }
        if (change == null || change.percent() == null) {
            return problem(Response.Status.BAD_REQUEST, "give {\"percent\": <0 to 100>}");
        }
        try {
            migration.changeCanaryPercent(change.percent());
        } catch (IllegalArgumentException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        }
        return Response.ok(new CanaryChange(migration.canaryPercent())).build();
    }

    /**
     * Moves the migration to another phase while the proxy runs: new sessions start in it, open sessions follow between
     * two of their transactions (a session in phase direct that turns to dual-write has its settings and prepared
     * statements set up on the target first). Answers once the phase is in effect for new transactions.
     */
    @PUT
    @Path("/phase")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePhase(@HeaderParam("Authorization") String authorization, PhaseChange change) {
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
        if (!phase.writesBothDatabases() || !migration.policy().usesTwoPhaseCommit()) {
            migration.changePhase(phase);
            return Uni.createFrom().item(Response.ok(new PhaseChange(phase.configName())).build());
        }
        // Two-phase commit needs prepared transactions on both servers and the recovery sweep running first.
        return Uni.createFrom().completionStage(recovery.activate().toCompletionStage())
                .map(ready -> {
                    migration.changePhase(phase);
                    return Response.ok(new PhaseChange(phase.configName())).build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Phase change to %s refused: %s", phase.configName(), failure.getMessage());
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
