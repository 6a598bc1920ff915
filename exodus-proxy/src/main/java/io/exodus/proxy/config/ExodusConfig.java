package io.exodus.proxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a user can set under {@code exodus.*}. Each key can also be given as an environment variable
 * ({@code exodus.listen.port} → {@code EXODUS_LISTEN_PORT}); the README lists them with their defaults.
 */
@ConfigMapping(prefix = "exodus")
public interface ExodusConfig {

    Listen listen();

    Database source();

    Database target();

    Auth auth();

    Tls tls();

    Protocol protocol();

    Shutdown shutdown();

    Embedded embedded();

    Migration migration();

    Admin admin();

    /** The state every replica of the proxy obeys, kept in the source's control database. */
    Control control();

    Replay replay();

    Tcp tcp();

    Capture capture();

    Sync sync();
    Verify verify();

    /** The strategies that walk the migration through its phases by themselves ({@code PUT /exodus/migration/strategy}). */
    Strategy strategy();

    /** README command 1's migration demo on the embedded default (docs/demo.md). */
    Demo demo();

    interface Listen {
        @WithDefault("0.0.0.0")
        String host();

        @WithDefault("6432")
        int port();

        /** Event loops that serve client sessions; defaults to the number of processors. */
        @WithName("event-loops")
        OptionalInt eventLoops();
    }

    /**
     * TCP keepalive on the sockets of the clients' sessions (the client's, and its backends'): a peer that vanished
     * without a word (a crashed host, a network path cut, a load balancer that dropped an idle flow) is noticed after
     * idle + interval × count instead of the operating system's two hours and more, so its session, and the
     * transaction it held open on the source, end. The proxy's own control connections are not covered.
     */
    interface Tcp {
        /** Silence after which the first keepalive probe is sent. */
        @WithName("keepalive-idle")
        @WithDefault("60s")
        Duration keepaliveIdle();

        /** Time between unanswered probes. */
        @WithName("keepalive-interval")
        @WithDefault("10s")
        Duration keepaliveInterval();

        /** Unanswered probes after which the connection is dropped. */
        @WithName("keepalive-count")
        @WithDefault("6")
        int keepaliveCount();
    }

    interface Database {
        /** A {@code postgresql://user:password@host:port/db?sslmode=…} URI. */
        Optional<String> url();

        @WithName("connect-timeout")
        @WithDefault("10s")
        Duration connectTimeout();
    }

    interface Auth {
        /** How clients authenticate to the proxy: {@code scram-sha-256}, {@code md5} or {@code trust}. */
        @WithDefault("scram-sha-256")
        String method();

        /** Extra users the proxy accepts, user name → password, used for the backends too. */
        Map<String, String> users();

        AuthQuery query();

        /** How long a client may take from its first byte to the end of authentication. */
        @WithDefault("30s")
        Duration timeout();
    }

    interface AuthQuery {
        /** Look up unknown users' secrets on the source, as PgBouncer's auth_query does. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = $1")
        String sql();
    }

    interface Tls {
        /** {@code disable} (refuse TLS), {@code allow} (offer TLS, accept plain text) or {@code require}. */
        @WithDefault("allow")
        String mode();

        /** PEM certificate chain; when absent the proxy makes a self-signed one at start-up. */
        @WithName("cert-file")
        Optional<String> certFile();

        /** PEM private key that belongs to {@link #certFile()}. */
        @WithName("key-file")
        Optional<String> keyFile();
    }

    interface Protocol {
        /** Largest message a client may send; PostgreSQL's own limit is 1 GiB. */
        @WithName("max-message-size")
        @WithDefault("1073741823")
        int maxMessageSize();
    }

    interface Shutdown {
        /** How long a shutdown waits for transactions in flight to finish before closing their sessions. */
        @WithDefault("30s")
        Duration timeout();
    }

    interface Embedded {
        /** Where the embedded servers keep their data; a temporary folder when absent. */
        @WithName("data-dir")
        Optional<String> dataDir();

        @WithName("source-port")
        @WithDefault("0")
        int sourcePort();

        @WithName("target-port")
        @WithDefault("0")
        int targetPort();

        /** Password of the embedded servers' superuser {@code postgres}; a random one when absent. */
        Optional<String> password();

        /**
         * Reach the embedded servers over their Unix-domain sockets instead of TCP on 127.0.0.1, as a proxy on the
         * database's own host can (clients still connect to Exodus over TCP).
         */
        @WithName("unix-sockets")
        @WithDefault("false")
        boolean unixSockets();
    }

    interface Migration {
        /**
         * {@code direct} (relay to the source only), {@code dual-write} (every write on source and target),
         * {@code canary}, {@code cutover} (the target is the primary, the source still written) or
         * {@code source-retired} (relay to the target only).
         */
        @WithDefault("direct")
        String phase();

        /**
         * What a failure on one database means for the client, for transactions that start after a change:
         * {@code two-phase-commit}, {@code both-required}, {@code old-authoritative}, {@code new-authoritative},
         * {@code best-effort}.
         */
        @WithDefault("both-required")
        String policy();

        /**
         * Names this proxy instance in the global ids of its prepared transactions ({@code exodus_<id>_<n>}), so that
         * its recovery after a crash resolves its own ones at once; the host name when absent.
         */
        @WithName("proxy-id")
        Optional<String> proxyId();

        /**
         * An {@code exodus_…} prepared transaction older than this, whichever proxy prepared it, is taken for
         * orphaned (its proxy crashed and did not come back) and resolved by any running proxy.
         */
        @WithName("orphan-timeout")
        @WithDefault("60s")
        Duration orphanTimeout();

        /**
         * How long the secondary may take to answer one request before the session gives up on it (a network cut
         * that leaves the connection open): the policy then handles it as a lost secondary.
         */
        @WithName("secondary-timeout")
        @WithDefault("5m")
        Duration secondaryTimeout();

        /**
         * How often, at most, a dual-write session whose secondary went away tries to connect it again, between two
         * of its transactions: each try at a database that is still down costs that transaction a failed connect.
         */
        @WithName("secondary-reconnect-interval")
        @WithDefault("5s")
        Duration secondaryReconnectInterval();

        /**
         * Phase canary: the share of reads outside transactions (0 to 100) that go to the target; changeable at run
         * time ({@code PUT /exodus/migration/canary}). Ignored in the other phases.
         */
        @WithName("canary-percent")
        @WithDefault("10")
        double canaryPercent();

        /**
         * The databases the migration moves, by name: sessions on any other database are relayed to the source alone
         * in every phase. Every database when unset. The initial sync sets it, fleet-wide, to the database it copied.
         */
        Optional<List<String>> databases();

        /**
         * What names a session's tenant for the user-by-user strategy, read from its startup packet when it connects:
         * {@code user}, {@code application-name}, {@code database}, or {@code option:NAME}, a setting the client
         * passes in its startup packet ({@code options=-c NAME=…}).
         */
        @WithName("tenant-key")
        @WithDefault("user")
        String tenantKey();

        /**
         * In dual-write, a {@code COPY … FROM 'file'} reads the file on the source in the client's session and gives
         * its bytes to both databases; a larger file is refused (Exodus holds it in memory while it copies), and
         * {@code COPY … FROM STDIN} carries any size.
         */
        @WithName("copy-from-file-max-bytes")
        @WithDefault("67108864")
        long copyFromFileMaxBytes();

        /**
         * In dual-write, a large object a statement creates ({@code lo_creat}, {@code lo_import}, {@code
         * lo_from_bytea}) is given to the target under the source's OID with the source's bytes, which Exodus holds
         * while it does; a statement that creates a larger one is refused (written in pieces, any size is mirrored).
         */
        @WithName("large-object-max-bytes")
        @WithDefault("67108864")
        long largeObjectMaxBytes();

        /**
         * In dual-write, the rows of one request's row images that Exodus holds in memory (the values the source
         * returned, plus about 24 bytes a row) until the target has them. Past it, the target runs the statement's
         * text instead, and the statement is counted and listed for verification: rows a statement picks by order or
         * locks, and values it draws, may then differ. Each session may hold this much at once.
         */
        @WithName("row-image-max-bytes")
        @WithDefault("67108864")
        long rowImageMaxBytes();

        /**
         * How often the functions of each source database with open sessions are read again, so that a function made
         * volatile through another proxy counts as a write here too ({@code SELECT f()} runs on both databases). A
         * function unknown to the last reading counts as a write at once, and a change through this proxy is read
         * when its transaction ends; 0 turns the interval off.
         */
        @WithName("function-refresh")
        @WithDefault("5s")
        Duration functionRefresh();

        /**
         * While both databases are written, how often the secondary's sequences that fell behind the primary's are
         * set to its positions (row images carry the drawn values, not the draws); none is moved back. 0 turns it
         * off; the cutover and the rollback set every sequence either way.
         */
        @WithName("sequence-follow")
        @WithDefault("10s")
        Duration sequenceFollow();

        /** The switch of the primary between the databases: cutover and rollback. */
        Cutover cutover();

        /** Shadow reads: reads also run on the secondary, their answers compared (strategies shadow and blue-green). */
        Shadow shadow();
    }

    interface Shadow {
        /**
         * The share of eligible reads (0 to 100 percent) that also run on the secondary while a shadow or blue-green
         * strategy compares: each one holds the secondary's connection of its session for the read's time.
         */
        @WithDefault("10")
        double share();

        /** The statement timeout of a shadow read on the secondary; one that runs longer counts as an error. */
        @WithDefault("5s")
        Duration timeout();

        /** How many of the last mismatches the status lists. */
        @WithDefault("20")
        int recent();
    }

    interface Cutover {
        /**
         * How long a cutover or rollback waits, new transactions paused, for the transactions in flight to end; past
         * it the switch is called off and traffic resumes on the old primary (nothing was changed).
         */
        @WithDefault("30s")
        Duration timeout();

        /**
         * What a cutover or rollback does with the transactions still open after {@link #timeout()}: {@code abort}
         * (call the switch off), {@code cancel} (end them: their sessions are closed, their transactions rolled back
         * on both databases; the switch goes on) or {@code wait} (wait as long as they run, new transactions paused).
         */
        @WithName("long-transactions")
        @WithDefault("abort")
        String longTransactions();

        /**
         * A cutover or rollback is refused while a standby or subscriber streaming from the database that would become
         * the primary is further behind it than this (its replay lag, as {@code pg_stat_replication} reports it): after
         * the move it would serve reads that old, and a failover to it would lose that much. 0 turns the gate off.
         */
        @WithName("max-replication-lag")
        @WithDefault("30s")
        Duration maxReplicationLag();

        /**
         * A cutover is refused unless every database of the source that has tables was verified whole (every table, in
         * its last verification) within this age. 0 turns the gate off; tables a verification found different hold a
         * cutover or rollback back either way. A rollback does not ask it: it is the way out when the target fails.
         */
        @WithName("max-verification-age")
        @WithDefault("24h")
        Duration maxVerificationAge();

        /**
         * A cutover is refused while the target's reads since the phase became canary, over the fleet, failed more
         * often than the source's by more than this share (0.01: one point), judged once the target answered
         * {@link #minReads()} of them. A negative value turns the gate off.
         */
        @WithName("max-error-rate")
        @WithDefault("0.01")
        double maxErrorRate();

        /** Reads the target must have answered in phase canary before its error rate is judged. */
        @WithName("min-reads")
        @WithDefault("50")
        int minReads();

        /** The guard against clients that bypass Exodus: docs/cutover.md, "Clients that bypass the proxy". */
        BypassGuard bypassGuard();
    }

    interface BypassGuard {
        /**
         * Whether a cutover makes the application's roles read-only on the source (the old primary) and a rollback
         * restores their previous setting, and whether direct sessions of those roles on the target are reported.
         */
        @WithDefault("false")
        boolean enabled();

        /**
         * The application's roles: those its clients log in as through Exodus. Never the role of
         * {@code exodus.source.url} or {@code exodus.target.url}, which Exodus's own connections use.
         */
        Optional<List<String>> roles();

        /** How often the target's sessions are looked at for clients of those roles that bypass Exodus. */
        @WithDefault("1s")
        Duration checkInterval();
    }

    interface Control {
        /**
         * Whether the phase, policy and canary share live in the source's {@code exodus} schema, shared by every
         * replica of the same {@code fleet}: a change made through one replica's admin API reaches all of them. Off,
         * each replica keeps its own state in memory.
         */
        @WithDefault("true")
        boolean enabled();

        /** The name of the replicas that obey one state: every replica of one application's proxy shares it. */
        @WithDefault("exodus")
        String fleet();

        /** How often a replica reads the state, should a notification of a change not reach it. */
        @WithName("poll-interval")
        @WithDefault("2s")
        Duration pollInterval();

        /** How often a replica reports itself alive, with the state it applied. */
        @WithName("heartbeat-interval")
        @WithDefault("1s")
        Duration heartbeatInterval();

        /** How long a change waits for every live replica to apply it before it answers with those still pending. */
        @WithName("apply-timeout")
        @WithDefault("5s")
        Duration applyTimeout();

        /**
         * Whether the replica listens for notifications of changes ({@code LISTEN exodus_control}); off, it reads the
         * state every {@code poll-interval} only, as it must when the source is reached through a pooler in
         * transaction mode, where LISTEN does not work.
         */
        @WithDefault("true")
        boolean listen();

        /**
         * How long a replica acts on the state it holds without confirming it is still the fleet's (a heartbeat that
         * sees the fleet's version is the one it applied). Past it the replica is stale: it serves reads by its last
         * state and refuses writes (57P03) until it confirms again. Below three {@code heartbeat-interval}s, the time
         * after which a change stops waiting for a silent replica, so that the replica refuses writes before the
         * fleet goes on without it (docs/adr/0032).
         */
        @WithName("stale-after")
        @WithDefault("2500ms")
        Duration staleAfter();

        /**
         * A hook for tests, never set in production: while this file exists, the replica's reads of the control
         * state and its heartbeats fail as if the source did not answer, which holds one replica of a fleet back
         * (FleetFollowsOnePhaseTest). Unset, the default, nothing is checked.
         */
        @WithName("test-hold-file")
        Optional<Path> testHoldFile();
    }

    interface Admin {
        /**
         * Bearer token for the admin API ({@code /exodus/…} on the HTTP port). Without one, the API answers reads and
         * refuses every change.
         */
        Optional<String> token();
    }

    interface Strategy {
        /** The canary strategy's shares of reads on the target, in percent, one step each, before its cutover. */
        @WithName("canary-steps")
        @WithDefault("5,25,50,100")
        List<Double> canarySteps();

        /** How long each step runs with its health gates watched before the next one. */
        @WithDefault("5m")
        Duration soak();

        /** How often the health gates are read during a step. */
        @WithName("check-interval")
        @WithDefault("1s")
        Duration checkInterval();

        /** A step fails when the target's share of failed reads exceeds the source's by more than this (0 to 1). */
        @WithName("max-error-rate")
        @WithDefault("0.01")
        double maxErrorRate();

        /** A step fails when the target's mean read time is more than this many times the source's. */
        @WithName("max-latency-ratio")
        @WithDefault("2.0")
        double maxLatencyRatio();

        /** The latency ratio is judged once both databases answered this many reads in the step. */
        @WithName("min-reads")
        @WithDefault("50")
        int minReads();

        /** A step fails when more transactions than this wait in the replay queue (the target misses writes). */
        @WithName("max-queue-depth")
        @WithDefault("100")
        long maxQueueDepth();

        /**
         * The user-by-user strategy's tenants (as {@code exodus.migration.tenant-key} names them), moved in this order;
         * {@code PUT /exodus/migration/strategy} may name others with {@code "tenants"}.
         */
        Optional<List<String>> tenants();

        /** A shadow step (strategies shadow and blue-green) fails when it finds more mismatches than this. */
        @WithName("max-shadow-mismatches")
        @WithDefault("0")
        long maxShadowMismatches();
    }

    interface Replay {
        /** The first wait after a failed replay; each further failure doubles it, up to {@code backoff-cap}. */
        @WithName("backoff-base")
        @WithDefault("200ms")
        Duration backoffBase();

        @WithName("backoff-cap")
        @WithDefault("30s")
        Duration backoffCap();

        /** Up to this share of each wait is added at random, so that replicas do not retry in step (0 to 1). */
        @WithDefault("0.2")
        double jitter();

        /**
         * A queued transaction that the target refuses (an SQL error, not a lost connection) this many times is
         * parked: kept in the queue as {@code failed}, reported as a divergence, and the queue goes on behind it.
         */
        @WithName("max-attempts")
        @WithDefault("10")
        int maxAttempts();

        /**
         * Bounded growth: past this many queued transactions in a database, or when the oldest is older than
         * {@code max-age}, a transaction the target missed is not queued; its tables are marked divergent instead.
         */
        @WithName("max-entries")
        @WithDefault("1000000")
        long maxEntries();

        @WithName("max-age")
        @WithDefault("24h")
        Duration maxAge();

        /** How often each proxy reads the queue's depth (which also tells its sessions whether to queue). */
        @WithName("poll-interval")
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * How long a transaction's first write waits for its database's nearly empty queue (64 entries or fewer, the
         * oldest younger than 2 s) to drain before it joins the queue: a database written without pause otherwise
         * stays in queueing for as long as its writes go on. {@code 0} turns the wait off.
         */
        @WithName("drain-wait")
        @WithDefault("500ms")
        Duration drainWait();

        /**
         * How long one entry's replay may wait on the target before the log says what it waits for (a lock held by a
         * transaction that never ends there stops the database's queue); said again every two such periods.
         */
        @WithName("stall-warning")
        @WithDefault("30s")
        Duration stallWarning();

        /**
         * How many queued transactions the replayer sends to the secondary in one write, without waiting for each
         * answer (docs/adr/0048): each after the first runs only if its predecessor committed, so order and
         * exactly-once hold. {@code 1} applies one transaction per round trip.
         */
        @WithName("pipeline-depth")
        @WithDefault("32")
        int pipelineDepth();

        /**
         * How best-effort brings a transaction to the secondary: {@code live} runs it there beside the primary and
         * commits it first, as the other policies do; {@code queued} records it in the replay queue inside the
         * primary's transaction, answers the client after the primary's COMMIT, and the replayer applies it (ADR 0049).
         */
        @WithName("best-effort-mode")
        @WithDefault("live")
        BestEffortMode bestEffortMode();

        /** Values of {@code best-effort-mode}. */
        enum BestEffortMode {
            LIVE,
            QUEUED
        }

        /** The largest queued transaction kept; a bigger one the target missed marks its tables divergent. */
        @WithName("max-transaction-bytes")
        @WithDefault("16777216")
        int maxTransactionBytes();

        /**
         * Key of the signature every queue entry carries (only a proxy can write entries the replayer accepts). The
         * same on every replica; derived from the source and target URLs (passwords included) when absent.
         */
        @WithName("signing-key")
        Optional<String> signingKey();
    }

    /**
     * The capture tap: statement events shipped to the analyzer (docs/analyzer.md), and the analyzer's
     * recommendations pulled back. Off without {@code analyzer-url}.
     */
    interface Capture {
        /** The analyzer's base URL, e.g. {@code http://analyzer:8081}; capture and recommendations are off without it. */
        @WithName("analyzer-url")
        Optional<String> analyzerUrl();

        /** The share of statements captured (0 to 1); the others are counted as dropped, never shipped. */
        @WithName("sample-rate")
        @WithDefault("1")
        double sampleRate();

        /** Bound parameter values: {@code off}, {@code sampled} ({@code parameter-sample-rate} of the events) or {@code all}. */
        @WithDefault("off")
        String parameters();

        /** With {@code parameters=sampled}: the share of captured extended-protocol statements whose values are kept. */
        @WithName("parameter-sample-rate")
        @WithDefault("0.01")
        double parameterSampleRate();

        /**
         * A regular expression over the normalised text: the parameter values of a statement it matches (found
         * anywhere, case as written) are shipped as {@code <redacted>}.
         */
        @WithName("redact")
        @WithDefault("(?i)passw|secret|token|credential|api_?key|card|iban|ssn")
        String redact();

        /** Events the buffer holds between the relays and the sender; beyond it, events are dropped and counted. */
        @WithName("buffer-events")
        @WithDefault("65536")
        int bufferEvents();

        /** The most events in one batch (the analyzer takes up to 10 000). */
        @WithName("batch-events")
        @WithDefault("2000")
        int batchEvents();

        /** How long an event may wait in the buffer before its batch is sent. */
        @WithName("flush-interval")
        @WithDefault("1s")
        Duration flushInterval();

        /** A statement text longer than this (bytes) is not captured but counted as dropped. */
        @WithName("max-statement-bytes")
        @WithDefault("65536")
        int maxStatementBytes();

        /** Tries per batch before it is dropped and counted; the wait between them doubles from {@code retry-backoff}. */
        @WithName("max-attempts")
        @WithDefault("3")
        int maxAttempts();

        @WithName("retry-backoff")
        @WithDefault("200ms")
        Duration retryBackoff();

        /** The longest wait between tries while the analyzer stays unreachable. */
        @WithName("retry-backoff-cap")
        @WithDefault("10s")
        Duration retryBackoffCap();

        /** Connect and answer timeout of each request to the analyzer. */
        @WithDefault("5s")
        Duration timeout();

        /** How long shutdown waits to ship what is still buffered. */
        @WithName("shutdown-timeout")
        @WithDefault("5s")
        Duration shutdownTimeout();

        /** How often the analyzer's recommendations are pulled ({@code POST /exodus/migration/recommendations} pulls now). */
        @WithName("recommendations-interval")
        @WithDefault("1m")
        Duration recommendationsInterval();
    }

    /** The initial sync of the target ({@code POST /exodus/migration/sync}, docs/initial-sync.md). */
    interface Sync {
        /** Tables copied at once, each over a connection of its own to either database. */
        @WithName("parallel-tables")
        @WithDefault("2")
        int parallelTables();

        /**
         * A table whose heap is at least this many bytes is copied in parts of at most this size, by the
         * parallel-tables copiers at once under the slot's one snapshot (a PostgreSQL 14 or newer source; a resumed
         * sync copies every table whole).
         */
        @WithName("split-min-bytes")
        @WithDefault("67108864")
        long splitMinBytes();

        /**
         * What to do with tables that have neither a primary key nor a replica identity, whose updates and deletes
         * logical decoding cannot carry: {@code refuse} the sync, or copy them {@code insert-only} (their rows, and
         * inserts and truncates during the sync; updates and deletes of them during the sync are not copied).
         */
        @WithName("tables-without-key")
        @WithDefault("refuse")
        String tablesWithoutKey();

        /**
         * What to do when the source's database holds large objects, which logical decoding cannot carry and the sync
         * does not copy: {@code refuse} the sync, or {@code skip} them (the target gets none).
         */
        @WithName("large-objects")
        @WithDefault("refuse")
        String largeObjects();

        /**
         * What to do with the source's unlogged tables, whose changes never reach the WAL: {@code refuse} the sync,
         * or give the target their schema only ({@code schema-only}, no rows).
         */
        @WithName("unlogged-tables")
        @WithDefault("refuse")
        String unloggedTables();

        /**
         * While rows are copied, the source's schema is compared with the one copied at most this often, between
         * tables: DDL during a long copy stops the sync then rather than after the copy (docs/initial-sync.md).
         */
        @WithName("schema-check-interval")
        @WithDefault("10s")
        Duration schemaCheckInterval();

        /** How long the switch waits for transactions in flight before it lets them go on and tries again later. */
        @WithName("switch-timeout")
        @WithDefault("5s")
        Duration switchTimeout();

        /** Switch attempts (each after catching up again) before the sync fails. */
        @WithName("switch-attempts")
        @WithDefault("3")
        int switchAttempts();

        /** How many increments the target's sequences are set past the source's at the switch. */
        @WithName("sequence-margin")
        @WithDefault("10000")
        long sequenceMargin();

        /** Folder with pg_dump and pg_restore; the PATH, then the newest /usr/lib/postgresql/N/bin when absent. */
        @WithName("pg-bin")
        Optional<String> pgBin();

        /**
         * A hook for tests, never set in production: while this file exists, the sync holds in its switch to
         * dual-write, for a test to kill the proxy there (SyncSwitchCrashTest): where the file says
         * {@code before-dual-write}, after the switch is journaled and before the phase changes (sessions held);
         * empty or {@code after-dual-write}, after the sessions turned to dual-write and before the slot is dropped.
         * Unset, the default, nothing is checked.
         */
        @WithName("test-hold-file")
        Optional<Path> testHoldFile();
    }

    /**
     * Row-by-row verification of source against target ({@code POST /exodus/migration/verify},
     * docs/verification.md): key ranges checksummed by both databases, differing ranges bisected, differing rows
     * re-checked before they are reported.
     */
    interface Verify {
        /** Source rows per segment a table with a primary key is first cut into: one checksum query per side each. */
        @WithName("segment-rows")
        @WithDefault("100000")
        long segmentRows();

        /** The number of parts a differing range is split into. */
        @WithName("bisection-factor")
        @WithDefault("16")
        int bisectionFactor();

        /** A differing range with at most this many rows on each side is compared row by row. */
        @WithName("bisection-threshold")
        @WithDefault("1000")
        long bisectionThreshold();

        /** How many times a differing row is read again before it is reported (0: reported at once). */
        @WithName("recheck-attempts")
        @WithDefault("3")
        int recheckAttempts();

        /** The wait before each re-check: longer than the writes in flight take to reach both databases. */
        @WithName("recheck-delay")
        @WithDefault("1s")
        Duration recheckDelay();

        /** Differing rows shown per table in the report; all are counted. */
        @WithName("max-examples")
        @WithDefault("10")
        int maxExamples();

        /**
         * How often the rows of every table are counted on both databases in the phases that write to both
         * ({@code GET /exodus/migration/row-counts}); {@code 0s} turns it off.
         */
        @WithName("count-interval")
        @WithDefault("15m")
        Duration countInterval();

        /** Tables the source's planner estimates larger than this are not counted but shown with both estimates. */
        @WithName("count-exact-limit")
        @WithDefault("1000000")
        long countExactLimit();

        /**
         * How often every table of the source URL's database is verified row by row in the phases that write to
         * both; {@code 0s} (the default): only on request.
         */
        @WithName("interval")
        @WithDefault("0s")
        java.time.Duration interval();

        /**
         * The share of the wall time verification's (and row counts') queries may keep each database busy: after a
         * query, they wait long enough to honour it. {@code 1}: no cap.
         */
        @WithName("max-database-share")
        @WithDefault("1")
        double maxDatabaseShare();

        /**
         * How long a repair waits for a lock on either database (its {@code lock_timeout}): a transaction that holds
         * a row or table it repairs longer makes the repair of that table fail, nothing of it changed.
         */
        @WithName("repair-lock-timeout")
        @WithDefault("10s")
        java.time.Duration repairLockTimeout();

        /** Show the differing rows' values in the report (keys are always shown). */
        @WithName("show-values")
        @WithDefault("false")
        boolean showValues();
    }

    /**
     * The demo that walks a whole migration on the embedded default while clients use the proxy: it only runs when no
     * {@code exodus.source.url} is set, so that a newcomer's first run shows a migration rather than a pass-through.
     */
    interface Demo {
        @WithDefault("true")
        boolean enabled();

        /** Accounts seeded on the source: enough rows that the sync and the verification show their progress. */
        @WithDefault("50000")
        int accounts();

        /** Clients of the bank that transfer money through the proxy's listen port during the walk. */
        @WithDefault("4")
        int clients();

        /** How long the load runs between two steps (each canary share, each move of the primary). */
        @WithName("step-soak")
        @WithDefault("3s")
        Duration stepSoak();

        /**
         * Exit after the report: 0 when it passed, 1 otherwise; for scripts and tests that run command 1 to its end.
         */
        @WithDefault("false")
        boolean exit();
    }
}
