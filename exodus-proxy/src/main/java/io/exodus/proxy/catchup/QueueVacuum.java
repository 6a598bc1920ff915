package io.exodus.proxy.catchup;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * Keeps one database's replay queue small while it churns. The applier deletes every entry it applied, and
 * autovacuum visits a table about once per {@code autovacuum_naptime} (a minute by default): in between, every batch
 * read and every depth poll walked the dead entries. At 235 queued transactions a second that was some 3,600 dead
 * entries on 220 pages after 15 s, and a batch read took 6 ms where 70 µs do (docs/benchmarks.md, "Where the source's
 * time goes"). A plain {@code VACUUM} after deletes, at most once a second, keeps them to about a second's worth; it
 * takes a few milliseconds on a table of that size.
 *
 * <p>{@code SKIP_LOCKED}: while autovacuum is at the table, this one has nothing to add. {@code TRUNCATE false}:
 * giving back the table's empty tail takes a lock that every session's INSERT of an entry would queue behind; the
 * space is reused anyway. Only a role that may vacuum
 * the table asks (PostgreSQL answers others with a warning and does nothing); a server that refuses the statement (a
 * PostgreSQL-compatible one without VACUUM) is left to its own maintenance from the first refusal on. Used on the
 * applier's event loop only.
 */
final class QueueVacuum {
    private static final Logger LOG = Logger.getLogger(QueueVacuum.class);
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    static final String VACUUM = "VACUUM (SKIP_LOCKED, TRUNCATE false) exodus.replay_queue";
    /** Owner, member of the owner, owner of the database or superuser: who PostgreSQL 13 to 16 let vacuum it. */
    static final String MAY_VACUUM = """
            SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') OR pg_catalog.pg_has_role(d.datdba, 'USAGE')
                   OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
            FROM pg_catalog.pg_class c, pg_catalog.pg_database d
            WHERE c.oid = pg_catalog.to_regclass('exodus.replay_queue') AND d.datname = pg_catalog.current_database()""";

    private final String database;
    private final Supplier<Pool> pool;
    /** Null until asked; then whether this proxy's role may vacuum the queue and the server takes the statement. */
    private Boolean allowed;
    private boolean running;
    private long lastStartedNanos = System.nanoTime() - INTERVAL_NANOS;

    QueueVacuum(String database, Supplier<Pool> pool) {
        this.database = database;
        this.pool = pool;
    }

    /** The applier deleted applied entries: vacuums now, unless it did less than a second ago or is at it. */
    void deleted() {
        if (running || Boolean.FALSE.equals(allowed) || System.nanoTime() - lastStartedNanos < INTERVAL_NANOS) {
            return;
        }
        running = true;
        lastStartedNanos = System.nanoTime();
        mayVacuum().compose(may -> may ? pool.get().query(VACUUM).execute().mapEmpty() : Future.succeededFuture())
                .onComplete(done -> {
                    running = false;
                    if (done.failed() && done.cause() instanceof PgException refused) {
                        allowed = false;
                        LOG.infof("The replay queue of \"%s\" is left to autovacuum: %s", database,
                                refused.getMessage());
                    }
                    // Otherwise the connection failed, as the applier's next statement will say; the next delete
                    // tries again.
                });
    }

    private Future<Boolean> mayVacuum() {
        if (allowed != null) {
            return Future.succeededFuture(allowed);
        }
        return pool.get().query(MAY_VACUUM).execute().map(rows -> {
            var row = rows.iterator();
            allowed = row.hasNext() && Boolean.TRUE.equals(row.next().getBoolean(0));
            if (!allowed) {
                LOG.infof("The replay queue of \"%s\" is left to autovacuum: this proxy's role may not vacuum it",
                        database);
            }
            return allowed;
        });
    }
}
