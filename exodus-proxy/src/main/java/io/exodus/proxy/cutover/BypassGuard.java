package io.exodus.proxy.cutover;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.sql.Identifiers;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Clients that bypass Exodus and write to the old primary after the cutover: with
 * {@code exodus.migration.cutover.bypass-guard.enabled}, the cutover sets {@code default_transaction_read_only} on
 * the application's roles on the source, and a rollback gives each role back exactly the setting it had. What it had
 * is written to {@code exodus.bypass_guard} on the source in the same transaction as the {@code ALTER ROLE}, so that
 * whichever replica restores it, and whenever (a proxy that crashed mid-cutover, a restart), restores the same; the
 * restore is one transaction too and does nothing the second time. Exodus's own sessions of those roles keep writing to
 * the source: while the target is the primary, every connection Exodus opens to the source asks for
 * {@code default_transaction_read_only=off} in its startup packet, which takes precedence over a role's setting.
 * A migration of some databases only ({@code exodus.migration.databases}) guards those: the setting is made for each
 * of them ({@code ALTER ROLE … IN DATABASE}), and the application's other databases stay writable on the source.
 * See docs/cutover.md, "Clients that bypass the proxy", and docs/adr/0033.
 */
@ApplicationScoped
public class BypassGuard {
    private static final Logger LOG = Logger.getLogger(BypassGuard.class);
    static final String SETTING = "default_transaction_read_only";
    /** The database of a record that guards a role in every database (its setting has no database). */
    private static final String EVERY_DATABASE = "";
    private static final String CREATE = """
            SET LOCAL client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.bypass_guard (
                fleet text NOT NULL,
                role text NOT NULL,
                previous text,
                guarded_at timestamptz NOT NULL DEFAULT now(),
                database text NOT NULL DEFAULT '',
                UNIQUE (fleet, role, database));
            ALTER TABLE exodus.bypass_guard ADD COLUMN IF NOT EXISTS database text NOT NULL DEFAULT '';
            ALTER TABLE exodus.bypass_guard DROP CONSTRAINT IF EXISTS bypass_guard_pkey;
            CREATE UNIQUE INDEX IF NOT EXISTS bypass_guard_fleet_role_database_key
                ON exodus.bypass_guard (fleet, role, database)""";
    /** Serialises the guard's changes across replicas, and its creation of the table. */
    private static final String LOCK = "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('exodus.bypass_guard'))";
    /**
     * The role's own setting in one database ($2), or for every database when $2 is empty, null when it has none, and
     * whether that database exists; no row when the role does not exist. Guarding every database leaves a setting for
     * one database ({@code ALTER ROLE … IN DATABASE}) untouched: it would take precedence over ours.
     */
    private static final String PREVIOUS = "SELECT (SELECT substr(c, strpos(c, '=') + 1) FROM "
            + "pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c WHERE s.setrole = r.oid "
            + "AND s.setdatabase = coalesce(d.oid, 0) AND c LIKE 'default\\_transaction\\_read\\_only=%'), "
            + "$2::text = '' OR d.oid IS NOT NULL FROM pg_catalog.pg_roles r "
            + "LEFT JOIN pg_catalog.pg_database d ON d.datname = $2::text WHERE r.rolname = $1";
    /** The first record wins: a second cutover, or one retried, must not take our own setting for the role's. */
    private static final String RECORD = "INSERT INTO exodus.bypass_guard (fleet, role, database, previous) "
            + "VALUES ($1, $2, $3, $4) ON CONFLICT (fleet, role, database) DO NOTHING";
    /** What the guard holds, and whether the role and its database (empty: every database) still exist. */
    private static final String GUARDED = "SELECT g.role, g.previous, r.oid IS NOT NULL AND (g.database = '' OR "
            + "d.oid IS NOT NULL), g.database FROM exodus.bypass_guard g "
            + "LEFT JOIN pg_catalog.pg_roles r ON r.rolname = g.role "
            + "LEFT JOIN pg_catalog.pg_database d ON d.datname = g.database WHERE g.fleet = $1 "
            + "ORDER BY g.role, g.database";
    private static final String FORGET = "DELETE FROM exodus.bypass_guard WHERE fleet = $1";
    private static final String FLEET_PHASE = "SELECT phase FROM exodus.control_state WHERE fleet = $1";

    private final Vertx vertx;
    private final ExodusConfig.BypassGuard config;
    private final String fleet;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;
    private final List<String> roles;
    /** Whether the fleet's phase lives in the control state (exodus.control.enabled). */
    private final boolean controlled;
    private ControlConnections connections;
    /** The roles the guard holds read-only now, as this replica last saw it; empty when it holds none. */
    private volatile List<String> guarded = List.of();
    /** Why the guard could not be set or lifted the last time it was asked; null when it could. */
    private volatile String failure;

    public BypassGuard(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints, MigrationState migration) {
        this.vertx = vertx;
        this.config = config.migration().cutover().bypassGuard();
        this.fleet = config.control().fleet();
        this.endpoints = endpoints;
        this.migration = migration;
        this.roles = this.config.roles().orElse(List.of());
        this.controlled = config.control().enabled();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The roles the guard is configured for. */
    public List<String> roles() {
        return roles;
    }

    /** The roles it holds read-only on the source now, as this replica last saw. */
    public List<String> guarded() {
        return guarded;
    }

    /** Why the last attempt to set or lift the guard failed; null when it did not. */
    public String failure() {
        return failure;
    }

    /**
     * Checks the configuration; then, should the source's roles still be read-only while the source is the primary (a
     * proxy stopped between the two steps of a rollback, or restarted with the control plane off in a phase before the
     * cutover), gives them back their setting: the guard never outlives the cutover it was set for.
     */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 2) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        if (roles.isEmpty()) {
            throw new IllegalStateException("exodus.migration.cutover.bypass-guard.enabled=true needs the application's "
                    + "roles in exodus.migration.cutover.bypass-guard.roles");
        }
        for (var endpoint : endpoints.configured()) {
            if (roles.contains(endpoint.url().user())) {
                throw new IllegalStateException("exodus.migration.cutover.bypass-guard.roles names " + endpoint.url().user()
                        + ", the role of exodus." + endpoint.role() + ".url: Exodus's own connections use it, and the "
                        + "guard must never make them read-only. Give Exodus a role of its own");
            }
        }
        if (connections == null) {
            connections = new ControlConnections(vertx);
        }
        try {
            createTable().compose(v -> fleetPhase()).compose(phase -> phase.primary() == Side.SOURCE ? release()
                    : readGuarded())
                    .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Bypass guard: could not read its state on the source (%s); it is set at the next cutover and "
                    + "lifted at the next rollback", e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (connections != null) {
            connections.close();
        }
    }

    /**
     * The login of a connection Exodus opens to the source: while the target is the primary, the source's application
     * roles may be read-only for direct clients, and Exodus's own sessions must go on writing there (every write of
     * phase cutover reaches the source too). A client that asked for the setting itself keeps its own.
     */
    public BackendLogin toSource(BackendLogin login) {
        if (!config.enabled() || migration.phase().primary() != Side.TARGET
                || login.startupParameters().containsKey(SETTING)) {
            return login;
        }
        Map<String, String> parameters = new LinkedHashMap<>(login.startupParameters());
        parameters.put(SETTING, "off");
        return new BackendLogin(login.user(), login.database(), login.credential(), parameters);
    }

    /**
     * Makes the application's roles read-only on the source, in the migration's databases, recording what each had
     * first, in one transaction. Fails (changing nothing) when a role or one of the databases does not exist, or the
     * source's URL role may not alter the role.
     */
    Future<Void> engage() {
        if (!config.enabled()) {
            return Future.succeededFuture();
        }
        MigrationDatabases databases = migration.databases();
        List<String> scopes = databases.all() ? List.of(EVERY_DATABASE) : databases.list();
        return pool().withTransaction(connection -> connection.query(LOCK).execute()
                .compose(v -> connection.query(CREATE).execute()).compose(v -> {
            Future<Void> chain = Future.succeededFuture();
            for (String role : roles) {
                for (String database : scopes) {
                    chain = chain.compose(done -> guard(connection, role, database));
                }
            }
            return chain;
        })).onSuccess(v -> {
            guarded = roles;
            failure = null;
            LOG.infof("Bypass guard: roles %s are read-only on the source for clients that bypass Exodus (%s = on), "
                    + "in %s", String.join(", ", roles), SETTING, databases.all() ? "every database"
                    : "databases " + String.join(", ", scopes));
        }).onFailure(this::failed);
    }

    /** Guards {@code role} in {@code database}, or in every database when it is {@link #EVERY_DATABASE}. */
    private Future<Void> guard(SqlConnection connection, String role, String database) {
        return connection.preparedQuery(PREVIOUS).execute(Tuple.of(role, database)).compose(rows -> {
            if (!rows.iterator().hasNext()) {
                return Future.failedFuture(new IllegalStateException("role " + role + " of "
                        + "exodus.migration.cutover.bypass-guard.roles does not exist on the source"));
            }
            Row found = rows.iterator().next();
            if (!found.getBoolean(1)) {
                return Future.failedFuture(new IllegalStateException("database " + database + " of "
                        + "exodus.migration.databases does not exist on the source"));
            }
            return connection.preparedQuery(RECORD).execute(Tuple.of(fleet, role, database, found.getString(0)))
                    .compose(v -> connection.query(alterRole(role, database) + " SET " + SETTING + " = on").execute())
                    .mapEmpty();
        });
    }

    private static String alterRole(String role, String database) {
        return "ALTER ROLE " + Identifiers.quote(role)
                + (database.equals(EVERY_DATABASE) ? "" : " IN DATABASE " + Identifiers.quote(database));
    }

    /**
     * Gives every role the guard holds its recorded setting back (or none, if it had none) in each database it was
     * guarded in, and forgets the record, in one transaction; with nothing recorded, does nothing. A role or database
     * dropped meanwhile is skipped. What was recorded is given back, whatever the migration's databases are now.
     */
    Future<Void> release() {
        if (!config.enabled()) {
            return Future.succeededFuture();
        }
        List<String> restored = new ArrayList<>();
        return pool().withTransaction(connection -> connection.query(LOCK).execute()
                .compose(v -> connection.query(CREATE).execute())
                .compose(v -> connection.preparedQuery(GUARDED).execute(Tuple.of(fleet))).compose(rows -> {
                    Future<Void> chain = Future.succeededFuture();
                    for (Row row : rows) {
                        String role = row.getString(0);
                        String previous = row.getString(1);
                        String database = row.getString(3);
                        if (!row.getBoolean(2)) {
                            continue;
                        }
                        restored.add(role + (database.equals(EVERY_DATABASE) ? "" : " in " + database)
                                + (previous == null ? " (no setting)" : " (" + previous + ")"));
                        String sql = alterRole(role, database) + (previous == null ? " RESET " + SETTING
                                : " SET " + SETTING + " = " + Identifiers.literal(previous));
                        chain = chain.compose(done -> connection.query(sql).execute().mapEmpty());
                    }
                    return chain.compose(done -> connection.preparedQuery(FORGET).execute(Tuple.of(fleet)));
                })).<Void>mapEmpty().onSuccess(v -> {
                    guarded = List.of();
                    failure = null;
                    if (!restored.isEmpty()) {
                        LOG.infof("Bypass guard: roles given back their setting of %s on the source: %s", SETTING,
                                String.join(", ", restored));
                    }
                }).onFailure(this::failed);
    }

    /** Reads which roles the guard holds, as recorded on the source: another replica may have set or lifted it. */
    Future<Void> readGuarded() {
        return pool().preparedQuery(GUARDED).execute(Tuple.of(fleet)).map(rows -> {
            Set<String> held = new LinkedHashSet<>();
            rows.forEach(row -> held.add(row.getString(0)));
            guarded = List.copyOf(held);
            return null;
        });
    }

    /**
     * The fleet's phase as the source holds it, with the control plane on: a replica that could not read it at start
     * runs in its configured phase, which must not lift a guard the fleet's cutover set.
     */
    private Future<MigrationPhase> fleetPhase() {
        if (!controlled) {
            return Future.succeededFuture(migration.phase());
        }
        return pool().preparedQuery(FLEET_PHASE).execute(Tuple.of(fleet)).map(rows -> rows.iterator().hasNext()
                ? MigrationPhase.fromConfig(rows.iterator().next().getString(0)) : migration.phase());
    }

    private Future<Void> createTable() {
        return pool().withTransaction(connection -> connection.query(LOCK).execute()
                .compose(v -> connection.query(CREATE).execute()).mapEmpty());
    }

    private void failed(Throwable cause) {
        failure = cause.getMessage();
        LOG.errorf("Bypass guard: %s", cause.getMessage());
    }

    private Pool pool() {
        if (connections == null) {
            connections = new ControlConnections(vertx);
        }
        return connections.to(endpoints.source());
    }
}
