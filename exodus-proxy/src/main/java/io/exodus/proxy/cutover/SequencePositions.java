package io.exodus.proxy.cutover;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Brings every sequence of the new primary past the old primary's position before the primary changes. Dual-write
 * gives the secondary the values the primary drew (row images), not the draws: the secondary's sequences stay where
 * they were, and its first {@code nextval} as the primary would hand out a key already taken. Each sequence of each
 * database is set to the further of the two positions (the greater for ascending sequences, the lesser for descending
 * ones); a sequence the old primary never drew from is left alone.
 */
final class SequencePositions {
    private static final Logger LOG = Logger.getLogger(SequencePositions.class);
    static final String DATABASES = "SELECT datname FROM pg_catalog.pg_database "
            + "WHERE datallowconn AND NOT datistemplate ORDER BY datname";
    static final String READ = "SELECT pg_catalog.format('%I.%I', schemaname, sequencename), last_value "
            + "FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL";
    /** One statement per database: the positions come as two arrays, names and values. */
    static final String ADVANCE = """
            SELECT count(pg_catalog.setval(v.name::pg_catalog.regclass, CASE WHEN s.increment_by > 0 \
            THEN GREATEST(v.position, COALESCE(s.last_value, v.position)) \
            ELSE LEAST(v.position, COALESCE(s.last_value, v.position)) END)) \
            FROM unnest($1::text[], $2::int8[]) AS v(name, position) \
            JOIN pg_catalog.pg_sequences s ON pg_catalog.format('%I.%I', s.schemaname, s.sequencename) = v.name""";
    private static final String UNKNOWN_DATABASE = "3D000";
    /** Databases whose sequences are read and set at once. */
    static final int AT_ONCE = 8;

    private final ControlConnections connections;

    SequencePositions(ControlConnections connections) {
        this.connections = connections;
    }

    /**
     * Completes with the number of sequences set on {@code to}, {@value #AT_ONCE} databases at a time: new transactions
     * wait meanwhile, and one database after the other made the pause grow with every database of the server (5 s
     * for 20 databases on a busy machine).
     */
    Future<Integer> advance(BackendEndpoint from, BackendEndpoint to) {
        return connections.to(from).query(DATABASES).execute().compose(rows -> {
            List<String> databases = new ArrayList<>();
            rows.forEach(row -> databases.add(row.getString(0)));
            Future<Integer> total = Future.succeededFuture(0);
            for (int first = 0; first < databases.size(); first += AT_ONCE) {
                List<String> batch = databases.subList(first, Math.min(databases.size(), first + AT_ONCE));
                total = total.compose(sum -> {
                    List<Future<Integer>> sets = batch.stream().map(database -> advance(from, to, database)).toList();
                    return Future.all(sets).map(all -> sum + sets.stream().mapToInt(Future::result).sum());
                });
            }
            return total;
        });
    }

    private Future<Integer> advance(BackendEndpoint from, BackendEndpoint to, String database) {
        return connections.to(from, database).query(READ).execute().compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(0);
            }
            List<String> names = new ArrayList<>(rows.size());
            List<Long> positions = new ArrayList<>(rows.size());
            for (Row row : rows) {
                names.add(row.getString(0));
                positions.add(row.getLong(1));
            }
            return connections.to(to, database).preparedQuery(ADVANCE)
                    .execute(Tuple.tuple().addArrayOfString(names.toArray(String[]::new))
                            .addArrayOfLong(positions.toArray(Long[]::new)))
                    .map(set -> set.iterator().next().getLong(0).intValue())
                    .onSuccess(set -> LOG.infof("Sequences of database \"%s\": %d of %d set on the %s past the %s's "
                            + "positions", database, set, names.size(), to.role(), from.role()))
                    .recover(failure -> {
                        if (failure instanceof PgException pg && UNKNOWN_DATABASE.equals(pg.getSqlState())) {
                            LOG.warnf("Database \"%s\" has %d sequences on the %s and does not exist on the %s: left "
                                    + "alone", database, names.size(), from.role(), to.role());
                            return Future.succeededFuture(0);
                        }
                        return Future.failedFuture(new IllegalStateException("the sequences of database \""
                                + database + "\" could not be set on the " + to.role() + ": "
                                + failure.getMessage(), failure));
                    });
        });
    }
}
