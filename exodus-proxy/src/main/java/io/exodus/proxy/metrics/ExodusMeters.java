package io.exodus.proxy.metrics;

/**
 * The names and tags of every meter the proxy registers; docs/observability.md describes each one. Names are
 * dotted; each registry renders them its own way ({@code exodus.requests} is {@code exodus_requests_seconds_*} in
 * Prometheus, {@code exodus.requests.count}, {@code .avg}, {@code .max}, {@code .percentile} … in Datadog).
 */
public final class ExodusMeters {
    public static final String PREFIX = "exodus.";

    /** Timer: a request from its last byte forwarded to the backend until the backend's ReadyForQuery. */
    public static final String REQUESTS = "exodus.requests";
    /** Counter: ErrorResponses clients received, by origin and SQLSTATE class. */
    public static final String ERRORS = "exodus.errors";
    /** Gauge: client connections open, from accept to close (authenticating ones included). */
    public static final String SESSIONS_ACTIVE = "exodus.sessions.active";
    /** Counter: sessions that got as far as relaying to a backend. */
    public static final String SESSIONS_OPENED = "exodus.sessions.opened";
    /** Counter: sessions closed before relaying, by reason. */
    public static final String SESSIONS_REFUSED = "exodus.sessions.refused";
    /** Gauge: backend sessions held for clients, by endpoint. */
    public static final String BACKEND_CONNECTIONS_ACTIVE = "exodus.backend.connections.active";
    /** Timer: from the client's StartupMessage until the proxy accepted or refused its password. */
    public static final String AUTH = "exodus.auth";
    /** Function counter: bytes relayed between clients and the proxy once sessions are established. */
    public static final String CLIENT_BYTES = "exodus.client.bytes";
    /** Gauge: 1 for the phase the proxy is in, tagged with it. */
    public static final String PHASE = "exodus.phase";
    /** Counter: write transactions on the new primary by the application's roles that did not come through Exodus. */
    public static final String BYPASS_WRITES = "exodus.bypass.writes";
    /** Gauge: sessions of the application's roles on the new primary that did not come through Exodus. */
    public static final String BYPASS_SESSIONS = "exodus.bypass.sessions";
    /** Timer: how long new transactions were paused for a move of the primary, by kind and outcome. */
    public static final String SWITCH_PAUSE = "exodus.switch.pause";
    /** Gauge: 1 for the consistency policy new transactions get, 0 for the others ({@code none} in phase direct). */
    public static final String POLICY = "exodus.policy";
    /** Timer: one request on one leg of a dual-write session, from its write until its last ReadyForQuery. */
    public static final String LEG_REQUESTS = "exodus.leg.requests";
    /** Timer: the commit of a transaction that wrote on both databases, until the client is told its outcome. */
    public static final String COMMITS = "exodus.commits";
    /** Timer: a step of the time a dual-write transaction holds its rows locked on the primary, by policy and step. */
    public static final String COMMIT_STEPS = "exodus.commit.steps";
    /** Counter: dual-write sessions that stopped using their secondary, by reason. */
    public static final String SECONDARY_DETACHED = "exodus.secondary.detached";
    /** Gauge: prepared transactions the last two-phase-commit recovery run could not finish. */
    /** Counter: halves of in-doubt two-phase transactions that recovery finished, by endpoint and action. */
    public static final String TWO_PHASE_RECOVERED = "exodus.twophase.recovered";
    public static final String TWO_PHASE_IN_DOUBT = "exodus.twophase.in_doubt";
    /** Gauge: 1 while a database accepts TCP connections, 0 when the last probe failed, by endpoint. */
    public static final String BACKEND_UP = "exodus.backend.up";
    /** Counter, registered by {@code DivergenceLog}: divergences by kind and policy. */
    public static final String DIVERGENCE = "exodus.divergence";
    /** Counter, registered by {@code DivergenceLog}: writes whose values may differ between the databases. */
    public static final String NONDETERMINISTIC_STATEMENTS = "exodus.nondeterministic.statements";
    /** Counter: reads that went to the target in phase canary. */
    public static final String CANARY_READS = "exodus.canary.reads";
    /** Counter: shadow reads whose two answers were compared. */
    public static final String SHADOW_COMPARED = "exodus.shadow.compared";
    /** Counter: shadow reads whose answers differed, by kind (row-count, rows, order, error). */
    public static final String SHADOW_MISMATCHES = "exodus.shadow.mismatches";
    /** Counter: reads not shadowed because their answer depends on the database's clock or randomness. */
    public static final String SHADOW_SKIPPED = "exodus.shadow.skipped";
    /** Gauge: the share of reads outside transactions that go to the target (0 outside phase canary). */
    public static final String CANARY_PERCENT = "exodus.canary.percent";
    /** Gauge: transactions queued for the secondary, all databases (as of the last poll). */
    public static final String REPLAY_DEPTH = "exodus.replay.depth";
    /** Gauge: age in seconds of the oldest queued transaction. */
    public static final String REPLAY_OLDEST_AGE = "exodus.replay.oldest_age";
    /** Gauge: transactions queued for the secondary in one database's queue, by database and home. */
    public static final String REPLAY_QUEUE_DEPTH = "exodus.replay.queue.depth";
    /** Gauge: age in seconds of the oldest transaction queued in one database's queue: its applier's lag. */
    public static final String REPLAY_QUEUE_OLDEST_AGE = "exodus.replay.queue.oldest_age";
    /** Gauge: queue entries parked after too many failed attempts (kept, not applied). */
    public static final String REPLAY_PARKED = "exodus.replay.parked";
    /** Gauge, from the first finished verification on: 1 when the last one found the databases identical, else 0. */
    public static final String VERIFICATION_IDENTICAL = "exodus.verification.identical";
    /** Gauge: rows the last finished verification found differing, by kind (missing, extra, different). */
    public static final String VERIFICATION_ROWS = "exodus.verification.rows";
    /** Counter: rows this proxy verified since it started. */
    public static final String VERIFICATION_ROWS_CHECKED = "exodus.verification.rows_checked";
    /** Gauge: tables whose exact row counts differed in the last finished round of row counts. */
    public static final String VERIFICATION_COUNTS_DIFFERING = "exodus.verification.row_counts.differing";
    /** Counter: transactions this proxy replayed to the secondary. */
    public static final String REPLAY_APPLIED = "exodus.replay.applied";
    /** Counter: failed replay attempts (lost connections and refused transactions). */
    public static final String REPLAY_FAILURES = "exodus.replay.failures";
    /** Gauge: seconds a replica (or the database itself, as a standby) is behind, by endpoint, kind and replica. */
    public static final String REPLICATION_LAG = "exodus.replication.lag";
    /** Gauge: bytes of WAL a replica (or the database itself, as a standby) has not replayed yet. */
    public static final String REPLICATION_LAG_BYTES = "exodus.replication.lag_bytes";
    /** Gauge: bytes of WAL a replication slot keeps on its database's disk, by endpoint, slot and active. */
    public static final String REPLICATION_SLOT_RETAINED = "exodus.replication.slot.retained_bytes";

    public static final String TAG_ENDPOINT = "endpoint";
    public static final String TAG_PROTOCOL = "protocol";
    public static final String TAG_PHASE = "phase";
    public static final String TAG_POLICY = "policy";
    /** The {@link StatementClass} of a request: read, write, ddl, transaction, session, copy or other. */
    public static final String TAG_STATEMENT_CLASS = "statement_class";
    public static final String TAG_ORIGIN = "origin";
    public static final String TAG_SQLSTATE_CLASS = "sqlstate_class";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_ROLE = "role";
    public static final String TAG_STEP = "step";
    public static final String TAG_KIND = "kind";
    public static final String TAG_REPLICA = "replica";
    public static final String TAG_SLOT = "slot";
    public static final String TAG_ACTIVE = "active";
    public static final String TAG_ACTION = "action";
    public static final String TAG_DATABASE = "database";
    /** The side whose database holds a replay queue: {@code source} before the cutover, {@code target} after. */
    public static final String TAG_HOME = "home";

    public static final String ENDPOINT_SOURCE = "source";
    public static final String ENDPOINT_TARGET = "target";
    /** The leg whose answers the client sees; before cutover, the source. */
    public static final String ROLE_PRIMARY = "primary";
    /** The leg that mirrors the primary's writes; before cutover, the target. */
    public static final String ROLE_SECONDARY = "secondary";
    public static final String OUTCOME_OK = "ok";
    public static final String OUTCOME_ERROR = "error";
    /** No consistency policy applies in phase direct. */
    public static final String POLICY_NONE = "none";

    private ExodusMeters() {
    }
}
