package io.exodus.proxy.control;

/**
 * The control plane's tables, in the {@code exodus} schema of the source's database (the one its URL names): the state
 * of each fleet, the audit of every change, and the replicas with the state each applied.
 */
final class ControlSql {
    /**
     * Serialises the creation of the tables by replicas that start at once. The creation keeps PostgreSQL's notices
     * to itself ("already exists, skipping" at every start would reach the log as warnings).
     */
    static final String LOCK = "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('exodus.control'))";
    static final String CREATE = """
            SET LOCAL client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.control_state (
                fleet text PRIMARY KEY,
                phase text NOT NULL,
                policy text NOT NULL,
                canary_percent double precision NOT NULL,
                version bigint NOT NULL,
                changed_at timestamptz NOT NULL DEFAULT now(),
                changed_by text NOT NULL);
            ALTER TABLE exodus.control_state ADD COLUMN IF NOT EXISTS route_changes bigint NOT NULL DEFAULT 0;
            ALTER TABLE exodus.control_state ADD COLUMN IF NOT EXISTS tenant_reads text NOT NULL DEFAULT '{}';
            ALTER TABLE exodus.control_state ADD COLUMN IF NOT EXISTS shadow boolean NOT NULL DEFAULT false;
            ALTER TABLE exodus.control_state ADD COLUMN IF NOT EXISTS databases text NOT NULL DEFAULT '*';
            CREATE TABLE IF NOT EXISTS exodus.control_audit (
                id bigserial PRIMARY KEY,
                fleet text NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                who text NOT NULL,
                what text NOT NULL,
                from_value text,
                to_value text NOT NULL,
                why text,
                version bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS exodus.replicas (
                fleet text NOT NULL,
                replica text NOT NULL,
                phase text NOT NULL,
                policy text NOT NULL,
                version bigint NOT NULL,
                last_seen timestamptz NOT NULL,
                PRIMARY KEY (fleet, replica));
            ALTER TABLE exodus.replicas ADD COLUMN IF NOT EXISTS held_pause bigint;
            ALTER TABLE exodus.replicas ADD COLUMN IF NOT EXISTS counters text;
            CREATE TABLE IF NOT EXISTS exodus.strategy_runs (
                fleet text PRIMARY KEY,
                replica text NOT NULL,
                progress text NOT NULL,
                running boolean NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now());
            ALTER TABLE exodus.strategy_runs ADD COLUMN IF NOT EXISTS plan text;
            CREATE TABLE IF NOT EXISTS exodus.traffic_pauses (
                fleet text PRIMARY KEY,
                id bigint NOT NULL,
                state text NOT NULL,
                requested_by text NOT NULL,
                requested_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL);
            ALTER TABLE exodus.traffic_pauses ADD COLUMN IF NOT EXISTS long_transactions text NOT NULL DEFAULT 'abort';
            ALTER TABLE exodus.traffic_pauses ADD COLUMN IF NOT EXISTS wait_ms bigint NOT NULL DEFAULT 0""";
    /**
     * A pause of the fleet's new transactions begins, unless one is in effect: answers its id, or no row. It expires
     * by itself (every replica resumes) should its requester die before it resumes it.
     */
    static final String BEGIN_PAUSE = """
            INSERT INTO exodus.traffic_pauses AS p (fleet, id, state, requested_by, expires_at, long_transactions, \
            wait_ms) VALUES ($1, 1, 'pausing', $2, now() + $3 * interval '1 millisecond', $4, $5) \
            ON CONFLICT (fleet) DO UPDATE SET id = p.id + 1, state = 'pausing', requested_by = excluded.requested_by, \
            requested_at = now(), expires_at = excluded.expires_at, long_transactions = excluded.long_transactions, \
            wait_ms = excluded.wait_ms \
            WHERE p.state = 'resumed' OR p.expires_at < now() RETURNING id""";
    static final String END_PAUSE = "UPDATE exodus.traffic_pauses SET state = 'resumed' WHERE fleet = $1 AND id = $2";
    /** The fleet's pause as a replica follows it: in effect (pausing, not expired) or not. */
    static final String READ_PAUSE = "SELECT id, state = 'pausing' AND expires_at > now(), long_transactions, wait_ms "
            + "FROM exodus.traffic_pauses WHERE fleet = $1";
    /** The requester of a pause that waits for long transactions keeps it from expiring while it lives. */
    static final String RENEW_PAUSE = "UPDATE exodus.traffic_pauses SET expires_at = now() + $3 * interval "
            + "'1 millisecond' WHERE fleet = $1 AND id = $2 AND state = 'pausing'";
    static final String HELD = "UPDATE exodus.replicas SET held_pause = $3 WHERE fleet = $1 AND replica = $2";
    /** The live replicas that do not hold the pause yet. */
    static final String NOT_HELD = "SELECT replica FROM exodus.replicas WHERE fleet = $1 "
            + "AND last_seen > now() - $2 * interval '1 millisecond' AND held_pause IS DISTINCT FROM $3 ORDER BY replica";
    /** The first replica of a fleet brings its configured state; later ones find it. */
    static final String INSERT_INITIAL = "INSERT INTO exodus.control_state (fleet, phase, policy, canary_percent, "
            + "version, changed_by, databases) VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (fleet) DO NOTHING";
    static final String READ = "SELECT phase, policy, canary_percent, version, changed_at::text, changed_by, "
            + "route_changes, tenant_reads, shadow, databases FROM exodus.control_state WHERE fleet = $1";
    static final String READ_FOR_CHANGE = READ + " FOR UPDATE";
    static final String HEARTBEAT = "INSERT INTO exodus.replicas (fleet, replica, phase, policy, version, last_seen, "
            + "counters) VALUES ($1, $2, $3, $4, $5, now(), $6) ON CONFLICT (fleet, replica) DO UPDATE SET "
            + "phase = excluded.phase, policy = excluded.policy, version = excluded.version, "
            + "last_seen = excluded.last_seen, counters = excluded.counters "
            // The fleet's version in the same statement: a heartbeat that finds it equal to the one reported confirms
            // the replica's lease at the moment the fleet sees the replica alive (docs/adr/0032).
            // FOR SHARE: a flip holds the row from its first statement to its commit, so that a heartbeat either
            // ends before the flip looks at who is live (and counts) or reads the flip's version (and confirms nothing).
            + "RETURNING (SELECT version FROM exodus.control_state WHERE fleet = $1 FOR SHARE)";
    static final String LEAVE = "DELETE FROM exodus.replicas WHERE fleet = $1 AND replica = $2";
    /** Live: seen within the interval given in milliseconds. */
    static final String REPLICAS = "SELECT replica, phase, policy, version, last_seen::text, "
            + "last_seen > now() - $2 * interval '1 millisecond' FROM exodus.replicas WHERE fleet = $1 "
            + "ORDER BY replica";
    /** What every replica of the fleet, live or not, reported with its last heartbeat. */
    static final String COUNTERS = "SELECT replica, counters FROM exodus.replicas WHERE fleet = $1 "
            + "AND counters IS NOT NULL ORDER BY replica";
    static final String AUDIT = "INSERT INTO exodus.control_audit (fleet, who, what, from_value, to_value, why, "
            + "version) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /** The fleet's version as the control database has it, not as a replica applied it. */
    static final String VERSION = "SELECT version FROM exodus.control_state WHERE fleet = $1";
    /** The phase changes audited after a version, oldest first. */
    static final String PHASE_CHANGES_SINCE = "SELECT who, from_value, to_value, version FROM exodus.control_audit "
            + "WHERE fleet = $1 AND what = 'phase' AND version > $2 ORDER BY version";
    /**
     * A replica takes the fleet's strategy run: unless another live replica runs one. Answers the replica, or no row
     * when another has it.
     */
    static final String CLAIM_STRATEGY = """
            INSERT INTO exodus.strategy_runs AS s (fleet, replica, progress, running, plan)
            VALUES ($1, $2, $3, true, $5)
            ON CONFLICT (fleet) DO UPDATE SET replica = excluded.replica, progress = excluded.progress, running = true,
                plan = excluded.plan, updated_at = now()
            WHERE NOT s.running OR s.replica = excluded.replica
               OR NOT EXISTS (SELECT 1 FROM exodus.replicas r WHERE r.fleet = s.fleet AND r.replica = s.replica
                              AND r.last_seen > now() - $4 * interval '1 millisecond')
            RETURNING replica""";
    /** Answers a row while this replica still has the run: none once another took it over. */
    static final String SAVE_STRATEGY = "UPDATE exodus.strategy_runs SET progress = $3, running = $4, "
            + "updated_at = now() WHERE fleet = $1 AND replica = $2 RETURNING replica";
    /**
     * A replica takes over the fleet's running strategy from the replica that ran it, which is no longer live (or is
     * this replica before a restart: $2). Answers the replica it was taken from, the progress and the plan; no row
     * when there is none to take.
     */
    static final String ADOPT_STRATEGY = """
            WITH orphan AS (
                SELECT s.fleet, s.replica FROM exodus.strategy_runs s
                WHERE s.fleet = $1 AND s.running AND s.plan IS NOT NULL
                  AND (s.replica = $2 OR NOT EXISTS (SELECT 1 FROM exodus.replicas r WHERE r.fleet = s.fleet
                       AND r.replica = s.replica AND r.last_seen > now() - $3 * interval '1 millisecond'))
                FOR UPDATE)
            UPDATE exodus.strategy_runs s SET replica = $2, updated_at = now() FROM orphan
            WHERE s.fleet = orphan.fleet
            RETURNING orphan.replica, s.progress, s.plan""";
    static final String READ_STRATEGY = "SELECT replica, progress, running FROM exodus.strategy_runs WHERE fleet = $1";
    static final String CHANNEL = "exodus_control";
    static final String NOTIFY = "SELECT pg_catalog.pg_notify('" + CHANNEL + "', $1)";

    private ControlSql() {
    }

    /**
     * The UPDATE of one setting: {@code column} comes from {@link ControlSetting}, never from a client. {@code $4}
     * counts a phase change that moves the primary or starts mirroring into {@code route_changes}.
     */
    static String update(String column) {
        return "UPDATE exodus.control_state SET " + column + " = $2, version = version + 1, changed_at = now(), "
                + "changed_by = $3, route_changes = route_changes + $4 WHERE fleet = $1 RETURNING version";
    }
}
