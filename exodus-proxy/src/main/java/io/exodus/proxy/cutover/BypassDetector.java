package io.exodus.proxy.cutover;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reports clients of the application's roles that reach the new primary without Exodus: every
 * {@code bypass-guard.check-interval} while the target is the primary, the target's sessions of those roles, in the
 * migration's databases, whose client address is not one from which a replica of the fleet reaches the target.
 * Exodus's own sessions come from those addresses by construction, so none of them is ever reported; a client on a
 * replica's own host is not seen (a miss, never a false report). A session with a transaction id is writing: each
 * such transaction is counted once ({@code exodus.bypass.writes}), logged with who and from where, and listed in
 * {@code GET /exodus/migration}. The look is a sample: a write that begins and commits between two looks is not seen,
 * the session that made it is. See docs/cutover.md, "Clients that bypass the proxy", and docs/adr/0033.
 */
@ApplicationScoped
public class BypassDetector {
    private static final Logger LOG = Logger.getLogger(BypassDetector.class);
    private static final String CREATE = """
            SET LOCAL client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.bypass_addresses (
                fleet text NOT NULL,
                replica text NOT NULL,
                address text NOT NULL,
                seen_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (fleet, replica))""";
    /** Where this replica's connections come from, as the target sees them; {@code local} for a Unix socket. */
    private static final String OWN_ADDRESS = "SELECT coalesce(host(inet_client_addr()), 'local')";
    private static final String PUBLISH = "INSERT INTO exodus.bypass_addresses (fleet, replica, address) "
            + "VALUES ($1, $2, $3) ON CONFLICT (fleet, replica) DO UPDATE SET address = excluded.address, seen_at = now()";
    /** Every address a replica of the fleet ever reached the target from: one more is a miss, one less a false report. */
    private static final String ADDRESSES = "SELECT DISTINCT address FROM exodus.bypass_addresses WHERE fleet = $1";
    private static final String DIRECT = "SELECT pid, usename, datname, coalesce(application_name, ''), "
            + "coalesce(host(client_addr), 'local'), backend_start::text, backend_xid::text "
            + "FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' AND usename::text = ANY($1::text[]) "
            + "AND coalesce(host(client_addr), 'local') <> ALL($2::text[]) "
            + "AND (cardinality($3::text[]) = 0 OR datname::text = ANY($3::text[])) ORDER BY pid";

    /**
     * A session of an application role on the target that did not come through Exodus.
     *
     * @param writing whether it had a write transaction open when seen
     */
    public record DirectSession(int pid, String user, String database, String applicationName, String clientAddress,
            String backendStart, boolean writing) {
    }

    /**
     * The guard as {@code GET /exodus/migration} shows it.
     *
     * @param guarded        the roles read-only on the source now, as this replica last saw
     * @param failure        why the guard could not be set or lifted the last time; null when it could
     * @param directSessions sessions of the roles on the target that bypass Exodus, at the last look
     * @param directWrites   write transactions of such sessions seen by this replica since it started
     * @param lastDirectWrite the session of the last one; null before any
     * @param checkedAt      the last look at the target; null before any
     */
    public record Report(List<String> roles, List<String> guarded, String failure, List<DirectSession> directSessions,
            long directWrites, DirectSession lastDirectWrite, String checkedAt) {
    }

    private final Vertx vertx;
    private final ExodusConfig.BypassGuard config;
    private final String fleet;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final ControlPlane control;
    private final BypassGuard guard;
    private final MeterRegistry registry;
    private ControlConnections connections;
    private long timer = -1;
    private boolean looking;
    private String ownAddress;
    /** Whether this replica's address is on the source for the others to read. */
    private boolean published;
    /** {@code pid/backend_start/xid} of the writes counted, so that each is counted once. */
    private final Set<String> seenWrites = new HashSet<>();
    /** {@code pid/backend_start} of the sessions logged, so that each is logged once. */
    private final Set<String> seenSessions = new HashSet<>();
    private volatile List<DirectSession> directSessions = List.of();
    private volatile DirectSession lastWrite;
    private volatile String checkedAt;
    private String lastFailure;
    private Counter writes;

    public BypassDetector(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration,
            ControlPlane control, BypassGuard guard, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config.migration().cutover().bypassGuard();
        this.fleet = config.control().fleet();
        this.endpoints = endpoints;
        this.migration = migration;
        this.control = control;
        this.guard = guard;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || endpoints.target().isEmpty()) {
            return;
        }
        connections = new ControlConnections(vertx);
        writes = Counter.builder(ExodusMeters.BYPASS_WRITES)
                .description("Write transactions on the new primary by sessions of the application's roles that did "
                        + "not come through Exodus").register(registry);
        Gauge.builder(ExodusMeters.BYPASS_SESSIONS, this, detector -> detector.directSessions.size())
                .description("Sessions of the application's roles on the new primary that did not come through Exodus")
                .register(registry);
        timer = vertx.setPeriodic(config.checkInterval().toMillis(), id -> look());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (connections != null) {
            vertx.cancelTimer(timer);
            connections.close();
        }
    }

    /** The guard and what it saw; null when it is off. */
    public Report report() {
        if (!config.enabled()) {
            return null;
        }
        long counted = writes == null ? 0 : (long) writes.count();
        return new Report(guard.roles(), guard.guarded(), guard.failure(), directSessions, counted, lastWrite,
                checkedAt);
    }

    /** One look at the target, while it is the primary; one at a time. */
    private void look() {
        if (looking || migration.phase().primary() != Side.TARGET) {
            return;
        }
        looking = true;
        BackendEndpoint target = endpoints.target().orElseThrow();
        guard.readGuarded()
                .compose(v -> fleetAddresses(target))
                .compose(addresses -> connections.to(target).preparedQuery(DIRECT)
                        .execute(Tuple.tuple().addArrayOfString(guard.roles().toArray(new String[0]))
                                .addArrayOfString(addresses.toArray(new String[0]))
                                .addArrayOfString(migration.databases().list().toArray(new String[0]))))
                .onSuccess(rows -> {
                    List<DirectSession> seen = new ArrayList<>();
                    for (Row row : rows) {
                        DirectSession session = new DirectSession(row.getInteger(0), row.getString(1),
                                row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                                row.getString(6) != null);
                        seen.add(session);
                        noted(session, row.getString(6));
                    }
                    directSessions = List.copyOf(seen);
                    checkedAt = Instant.now().toString();
                    lastFailure = null;
                })
                .onFailure(this::lookFailed)
                .onComplete(done -> looking = false);
    }

    /** Each new reason once in the log: a look every second would otherwise repeat it every second. */
    private void lookFailed(Throwable failure) {
        String message = failure.getMessage();
        if (!Objects.equals(message, lastFailure)) {
            lastFailure = message;
            LOG.warnf("Bypass guard: could not look at the target's sessions: %s", message);
        }
    }

    private void noted(DirectSession session, String xid) {
        String key = session.pid() + "/" + session.backendStart();
        if (seenSessions.add(key)) {
            LOG.warnf("Bypass guard: user %s is connected to the target (the primary) without Exodus: database %s, "
                    + "application \"%s\", from %s, pid %d", session.user(), session.database(),
                    session.applicationName(), session.clientAddress(), session.pid());
        }
        if (xid != null && seenWrites.add(key + "/" + xid)) {
            writes.increment();
            lastWrite = session;
            LOG.warnf("Bypass guard: a write on the target that did not come through Exodus: user %s, database %s, "
                    + "application \"%s\", from %s, pid %d, transaction %s; the source does not receive it, and a "
                    + "rollback would lose it", session.user(), session.database(), session.applicationName(),
                    session.clientAddress(), session.pid(), xid);
        }
    }

    /**
     * The addresses the fleet's replicas reach the target from: this replica's, learnt once; with the control plane
     * on, every replica's, published on the source.
     */
    private Future<List<String>> fleetAddresses(BackendEndpoint target) {
        Future<String> own = ownAddress != null ? Future.succeededFuture(ownAddress)
                : connections.to(target).query(OWN_ADDRESS).execute().map(rows -> {
                    ownAddress = rows.iterator().next().getString(0);
                    return ownAddress;
                });
        if (!control.enabled()) {
            return own.map(List::of);
        }
        var source = connections.to(endpoints.source());
        Future<Void> publishing = published ? Future.succeededFuture()
                : own.compose(address -> source.withTransaction(connection -> connection.query(CREATE).execute()
                        .compose(v -> connection.preparedQuery(PUBLISH)
                                .execute(Tuple.of(fleet, control.replicaId(), address)))))
                        .<Void>mapEmpty().onSuccess(v -> this.published = true);
        return publishing.compose(v -> source.preparedQuery(ADDRESSES).execute(Tuple.of(fleet)))
                .map(rows -> {
                    List<String> addresses = new ArrayList<>();
                    rows.forEach(row -> addresses.add(row.getString(0)));
                    return addresses;
                });
    }
}
