package io.exodus.proxy.consistency;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finishes the prepared transactions a proxy left behind when it died between PREPARE TRANSACTION and the last COMMIT
 * PREPARED; until then they hold their locks. The commit protocol orders the steps so that the state of the two
 * servers tells the decision:
 * <ul>
 * <li>still prepared on the primary: the decision was never made, so both halves roll back;</li>
 * <li>gone from the primary: the primary committed exactly when its decision row exists in
 *     {@code exodus.commit_decisions}, so the secondary's half commits if the row is there and rolls back if not.</li>
 * </ul>
 * The primary is the side whose COMMIT PREPARED decides: the source until the cutover, then the target. Each
 * transaction's gid says which it was ({@link GlobalTransactionIds#primaryOf}), so the transactions of both directions
 * are told apart after a crash around the cutover.
 *
 * <p>Several proxies may run this at once, and live proxies may be committing their own transactions meanwhile; a
 * COMMIT or ROLLBACK PREPARED that finds its gid gone just means someone else got there first. The secondary is
 * listed before the primary: a gid prepared on the secondary and then no longer prepared on the primary has a final
 * decision.
 */
public final class InDoubtTransactionResolver {
    private static final Logger LOG = Logger.getLogger(InDoubtTransactionResolver.class);

    /** Every Exodus gid prepared on a server, in any database; left() rather than LIKE to avoid escape settings. */
    static final String PREPARED_EXODUS_GIDS = "SELECT gid, database, owner,"
            + " extract(epoch FROM statement_timestamp() - prepared)::float8 AS age_seconds"
            + " FROM pg_catalog.pg_prepared_xacts WHERE left(gid, 7) = 'exodus_' ORDER BY prepared";

    private final ControlConnections connections;
    private final BackendEndpoint source;
    private final BackendEndpoint target;
    private final CommitDecisionLog decisions;

    public InDoubtTransactionResolver(ControlConnections connections, BackendEndpoint source, BackendEndpoint target) {
        this.connections = connections;
        this.source = source;
        this.target = target;
        this.decisions = new CommitDecisionLog(connections, source, target);
    }

    /**
     * Resolves every prepared transaction of the proxy, whatever its age. Run at start-up, before the proxy serves
     * clients: none of its transactions can be in flight then.
     */
    public Future<Resolution> resolveOwn(String proxyId) {
        String own = GlobalTransactionIds.sanitise(proxyId);
        return resolve(gid -> GlobalTransactionIds.proxyIdOf(gid).filter(own::equals).isPresent(), Duration.ZERO);
    }

    /**
     * Resolves the prepared transactions of any proxy that were prepared at least the given time ago on every server
     * that has them: their proxy died and did not come back. The threshold must exceed the longest time a live proxy
     * takes from its first PREPARE TRANSACTION to its last COMMIT PREPARED.
     */
    public Future<Resolution> resolveOrphans(Duration olderThan) {
        return resolve(GlobalTransactionIds::isExodus, olderThan);
    }

    private Future<Resolution> resolve(Predicate<String> chosen, Duration minimumAge) {
        // The target is listed first: it is the secondary of every transaction decided on the source, and for those
        // decided on the target, a gid still prepared there is rolled back from either list.
        return listPrepared(target).compose(onTarget -> listPrepared(source).compose(onSource -> {
            Set<String> gids = new LinkedHashSet<>(onSource.keySet());
            gids.addAll(onTarget.keySet());
            Future<Resolution> done = Future.succeededFuture(Resolution.NONE);
            for (String gid : gids) {
                Side primary = GlobalTransactionIds.primaryOf(gid);
                Map<String, Prepared> onPrimary = primary == Side.SOURCE ? onSource : onTarget;
                Map<String, Prepared> onSecondary = primary == Side.SOURCE ? onTarget : onSource;
                InDoubt inDoubt = new InDoubt(gid, primary, onPrimary.get(gid), onSecondary.get(gid));
                if (chosen.test(gid) && inDoubt.preparedAtLeast(minimumAge)) {
                    // One at a time: recovery is rare, and two connections per database are enough.
                    done = done.compose(sofar -> resolve(inDoubt).map(sofar::plus));
                }
            }
            return done;
        }));
    }

    private Future<Map<String, Prepared>> listPrepared(BackendEndpoint endpoint) {
        return connections.to(endpoint).query(PREPARED_EXODUS_GIDS).execute().map(rows -> {
            Map<String, Prepared> prepared = new LinkedHashMap<>();
            for (Row row : rows) {
                Prepared one = new Prepared(row.getString("gid"), row.getString("database"), row.getString("owner"),
                        row.getDouble("age_seconds"));
                // Any other exodus_… name is not one of ours to finish, and may not be safe to write as a literal.
                if (GlobalTransactionIds.isExodus(one.gid())) {
                    prepared.put(one.gid(), one);
                }
            }
            return prepared;
        });
    }

    /** Never fails: a gid that could not be resolved is reported in the result and left for the next run. */
    private Future<Resolution> resolve(InDoubt inDoubt) {
        Future<Resolution> resolved;
        if (inDoubt.onPrimary() != null) {
            resolved = finish(inDoubt, true, Verb.ROLLBACK, "no commit decision was made")
                    .compose(primaryRolledBack -> finishSecondary(inDoubt, Verb.ROLLBACK,
                            "its " + inDoubt.primary().configName() + " half rolled back")
                            .map(primaryRolledBack::plus))
                    .recover(failure -> isGone(failure)
                            // A live proxy finished it on the primary meanwhile: its decision is now final.
                            ? resolveFromDecision(inDoubt)
                            : Future.failedFuture(failure));
        } else {
            resolved = resolveFromDecision(inDoubt);
        }
        return resolved.recover(failure -> {
            LOG.warnf("Could not resolve the prepared transaction %s (%s); the next run tries again. %s",
                    inDoubt.gid(), inDoubt.describe(), explain(failure));
            return Future.succeededFuture(Resolution.unresolved(inDoubt.gid()));
        });
    }

    private Future<Resolution> resolveFromDecision(InDoubt inDoubt) {
        if (inDoubt.onSecondary() == null) {
            return Future.succeededFuture(Resolution.NONE);
        }
        // The decision row is in the primary's database of the same name.
        String primary = inDoubt.primary().configName();
        return decisions.isCommitted(inDoubt.primary(), inDoubt.onSecondary().database(), inDoubt.gid())
                .compose(committed -> committed
                        ? finishSecondary(inDoubt, Verb.COMMIT, "the " + primary + " committed it")
                        : finishSecondary(inDoubt, Verb.ROLLBACK, "the " + primary + " did not commit it"));
    }

    private Future<Resolution> finishSecondary(InDoubt inDoubt, Verb verb, String because) {
        if (inDoubt.onSecondary() == null) {
            return Future.succeededFuture(Resolution.NONE);
        }
        return finish(inDoubt, false, verb, because)
                // Someone else finished it first, with the same decision.
                .recover(failure -> isGone(failure) ? Future.succeededFuture(Resolution.NONE)
                        : Future.failedFuture(failure));
    }

    /**
     * COMMIT or ROLLBACK PREPARED in the transaction's own database. Only a superuser or the role that prepared the
     * transaction may finish it; a control user that is neither retries as the owner, which works when it is a member
     * of the owner's role (the usual way on managed services, which have no superuser).
     */
    private Future<Resolution> finish(InDoubt inDoubt, boolean onPrimary, Verb verb, String because) {
        Side side = onPrimary ? inDoubt.primary() : inDoubt.primary().other();
        BackendEndpoint endpoint = side == Side.SOURCE ? source : target;
        Prepared prepared = onPrimary ? inDoubt.onPrimary() : inDoubt.onSecondary();
        Pool pool = connections.to(endpoint, prepared.database());
        String sql = verb.sql + " '" + prepared.gid() + "'";
        return pool.query(sql).execute()
                .recover(failure -> isPermissionDenied(failure) ? asOwner(pool, prepared.owner(), sql)
                        : Future.failedFuture(failure))
                .map(done -> {
                    LOG.infof("Resolved the in-doubt transaction %s on the %s (database %s): %s, because %s",
                            prepared.gid(), endpoint.role(), prepared.database(), verb.sql, because);
                    return Resolution.of(side, verb);
                });
    }

    private static Future<RowSet<Row>> asOwner(Pool pool, String owner, String sql) {
        return pool.withConnection(connection -> connection.query("SET ROLE " + quoteIdentifier(owner)).execute()
                .compose(roleSet -> connection.query(sql).execute())
                .eventually(() -> connection.query("RESET ROLE").execute()));
    }

    private static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** 42704: no prepared transaction with that gid (any more). */
    private static boolean isGone(Throwable failure) {
        return failure instanceof PgException pg && SqlState.UNDEFINED_OBJECT.equals(pg.getSqlState());
    }

    private static boolean isPermissionDenied(Throwable failure) {
        return failure instanceof PgException pg && SqlState.INSUFFICIENT_PRIVILEGE.equals(pg.getSqlState());
    }

    private String explain(Throwable failure) {
        if (isPermissionDenied(failure)) {
            return "Only a superuser or the role that prepared a transaction may finish it: give the users of the "
                    + "exodus.source.url and exodus.target.url superuser rights or membership in the clients' roles, "
                    + "or run the COMMIT/ROLLBACK PREPARED by hand. " + failure.getMessage();
        }
        return String.valueOf(failure.getMessage());
    }

    private enum Verb {
        COMMIT("COMMIT PREPARED"),
        ROLLBACK("ROLLBACK PREPARED");

        private final String sql;

        Verb(String sql) {
            this.sql = sql;
        }
    }

    /** One row of pg_prepared_xacts. */
    private record Prepared(String gid, String database, String owner, double ageSeconds) {
    }

    /** A gid, the side whose commit decides it, and where it is still prepared; either may be null. */
    private record InDoubt(String gid, Side primary, Prepared onPrimary, Prepared onSecondary) {

        boolean preparedAtLeast(Duration age) {
            double seconds = age.toNanos() / 1e9;
            return (onPrimary == null || onPrimary.ageSeconds() >= seconds)
                    && (onSecondary == null || onSecondary.ageSeconds() >= seconds);
        }

        String describe() {
            List<String> where = new ArrayList<>();
            if (onPrimary != null) {
                where.add("prepared on the " + primary.configName() + " (its primary) in " + onPrimary.database()
                        + " by " + onPrimary.owner());
            }
            if (onSecondary != null) {
                where.add("prepared on the " + primary.other().configName() + " in " + onSecondary.database() + " by "
                        + onSecondary.owner());
            }
            return String.join(", ", where);
        }
    }

    /**
     * What a run did, per database: a primary's half of an in-doubt transaction is only ever rolled back (had it
     * committed, it would no longer be prepared), a secondary's committed or rolled back as its primary decided.
     *
     * @param unresolved gids left prepared because finishing them failed
     */
    public record Resolution(int sourceCommitted, int sourceRolledBack, int targetCommitted, int targetRolledBack,
            List<String> unresolved) {
        public static final Resolution NONE = new Resolution(0, 0, 0, 0, List.of());

        public Resolution {
            unresolved = List.copyOf(unresolved);
        }

        static Resolution of(Side side, Verb verb) {
            boolean committed = verb == Verb.COMMIT;
            return side == Side.SOURCE
                    ? new Resolution(committed ? 1 : 0, committed ? 0 : 1, 0, 0, List.of())
                    : new Resolution(0, 0, committed ? 1 : 0, committed ? 0 : 1, List.of());
        }

        static Resolution unresolved(String gid) {
            return new Resolution(0, 0, 0, 0, List.of(gid));
        }

        public Resolution plus(Resolution other) {
            List<String> gids = new ArrayList<>(unresolved);
            gids.addAll(other.unresolved);
            return new Resolution(sourceCommitted + other.sourceCommitted, sourceRolledBack + other.sourceRolledBack,
                    targetCommitted + other.targetCommitted, targetRolledBack + other.targetRolledBack, gids);
        }

        /** How many halves of transactions were finished. */
        public int finished() {
            return sourceCommitted + sourceRolledBack + targetCommitted + targetRolledBack;
        }
    }
}
