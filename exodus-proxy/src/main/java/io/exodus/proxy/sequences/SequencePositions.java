package io.exodus.proxy.sequences;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Brings sequences of one database server past another's positions: every sequence of the new primary before the
 * primary changes ({@link #advance}), and, during dual-write, those of the secondary that fell behind
 * ({@link #follow}). Dual-write gives the secondary the values the primary drew (row images), not the draws: the
 * secondary's sequences stay where they were, and its first {@code nextval} as the primary would hand out a key
 * already taken. Each sequence of each
 * database is set to the further of the two positions (the greater for ascending sequences, the lesser for descending
 * ones); a sequence the old primary never drew from is left alone.
 */
public final class SequencePositions {
    private static final Logger LOG = Logger.getLogger(SequencePositions.class);
    /** A sequence's storage and position, in a query over {@code pg_sequences s}. */
    private static final String SEEN_TOKEN = "(SELECT c.relfilenode FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = s.schemaname AND c.relname = s.sequencename)::text || '/' || "
            + "COALESCE(s.last_value::text, '')";
    static final String READ = "SELECT pg_catalog.format('%I.%I', schemaname, sequencename), last_value "
            + "FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL";
    /** One statement per database: the positions come as two arrays, names and values. */
    static final String ADVANCE = """
            SELECT count(pg_catalog.setval(v.name::pg_catalog.regclass, CASE WHEN s.increment_by > 0 \
            THEN GREATEST(v.position, COALESCE(s.last_value, v.position)) \
            ELSE LEAST(v.position, COALESCE(s.last_value, v.position)) END)) \
            FROM unnest($1::text[], $2::int8[]) AS v(name, position) \
            JOIN pg_catalog.pg_sequences s ON pg_catalog.format('%I.%I', s.schemaname, s.sequencename) = v.name""";
    /**
     * What a sequence of the secondary is now: its storage (a new one after {@code TRUNCATE … RESTART IDENTITY} or
     * {@code ALTER SEQUENCE … RESTART}) and its position. Read before the primary's positions, and required unchanged
     * when one is set ({@link #FOLLOW}).
     */
    static final String SEEN = "SELECT pg_catalog.format('%I.%I', s.schemaname, s.sequencename), " + SEEN_TOKEN
            + " FROM pg_catalog.pg_sequences s WHERE s.schemaname <> 'exodus'";
    /**
     * {@link #ADVANCE} for the sequences behind only (the count says how many moved), Exodus's own schema left alone:
     * each database keeps its own bookkeeping there. A sequence is set only if it is as {@link #SEEN} found it before
     * the primary's positions were read: a restart that reached the secondary since would otherwise be undone by a
     * position the primary had before its own restart, and the secondary would end ahead of the primary for good
     * (nothing moves a sequence back). The primary commits a statement before the secondary does, so a restart either
     * shows in the positions read, or changes the secondary's sequence after {@link #SEEN} (and it is left alone), or
     * reaches the secondary after it was set (and restarts it there too).
     */
    static final String FOLLOW = "SELECT count(pg_catalog.setval(v.name::pg_catalog.regclass, v.position)) "
            + "FROM unnest($1::text[], $2::int8[], $3::text[]) AS v(name, position, seen) "
            + "JOIN pg_catalog.pg_sequences s ON pg_catalog.format('%I.%I', s.schemaname, s.sequencename) = v.name "
            + "WHERE s.schemaname <> 'exodus' AND " + SEEN_TOKEN + " = v.seen AND (s.last_value IS NULL OR "
            + "(s.increment_by > 0 AND v.position > s.last_value) OR (s.increment_by < 0 AND v.position < s.last_value))";
    private static final String PING = "SELECT 1";
    /** Databases whose sequences are read and set at once. */
    static final int AT_ONCE = 8;

    private final ControlConnections connections;

    public SequencePositions(ControlConnections connections) {
        this.connections = connections;
    }

    /**
     * Completes with the number of sequences set on {@code to}, {@value #AT_ONCE} databases at a time: new transactions
     * wait meanwhile, and one database after the other made the pause grow with every database of the server (5 s
     * for 20 databases on a busy machine).
     */
    public Future<Integer> advance(BackendEndpoint from, BackendEndpoint to) {
        return setEverywhere(from, to, ADVANCE);
    }

    /**
     * Opens, before a switch pauses new transactions, the connections {@link #advance} then uses: one to each database
     * on either side, {@value #AT_ONCE} databases at a time. Opened under the pause, a login to every database of both
     * servers made most of it (1-2 s with some forty databases). Never fails: a connection that cannot be opened now
     * is opened, or fails, when advance needs it.
     */
    public Future<Void> connect(BackendEndpoint from, BackendEndpoint to) {
        return connections.databases(from).compose(databases -> {
            Future<Void> all = Future.succeededFuture();
            for (int first = 0; first < databases.size(); first += AT_ONCE) {
                List<String> batch = databases.subList(first, Math.min(databases.size(), first + AT_ONCE));
                all = all.compose(v -> Future.join(batch.stream().<Future<?>>flatMap(database -> Stream
                        .of(connections.to(from, database).query(PING).execute(),
                                connections.to(to, database).query(PING).execute())).toList())
                        .<Void>mapEmpty().otherwiseEmpty());
            }
            return all;
        }).otherwiseEmpty();
    }

    /**
     * Completes with the number of sequences of {@code to} that were behind {@code from}'s positions and now are not.
     * The secondary of dual-write gets the values its primary drew (row images), not the draws, so its sequences stay
     * behind; a statement it runs as text then draws keys the primary handed out long ago, and verification finds
     * every sequence different.
     */
    public Future<Integer> follow(BackendEndpoint from, BackendEndpoint to, List<String> databases) {
        return setIn(from, to, databases, FOLLOW);
    }

    /** For {@link #FOLLOW}: the secondary's sequences as they are before the primary's positions are read. */
    private Future<Map<String, String>> seen(BackendEndpoint to, String database, String setting) {
        if (!setting.equals(FOLLOW)) {
            return Future.succeededFuture(Map.of());
        }
        return connections.to(to, database).query(SEEN).execute().map(rows -> {
            Map<String, String> seen = new HashMap<>();
            rows.forEach(row -> seen.put(row.getString(0), row.getString(1)));
            return seen;
        });
    }

    private Future<Integer> setEverywhere(BackendEndpoint from, BackendEndpoint to, String set) {
        return connections.databases(from).compose(databases -> setIn(from, to, databases, set));
    }

    private Future<Integer> setIn(BackendEndpoint from, BackendEndpoint to, List<String> databases, String set) {
        Future<Integer> total = Future.succeededFuture(0);
        for (int first = 0; first < databases.size(); first += AT_ONCE) {
            List<String> batch = databases.subList(first, Math.min(databases.size(), first + AT_ONCE));
            total = total.compose(sum -> {
                List<Future<Integer>> sets = batch.stream().map(database -> set(from, to, database, set)).toList();
                return Future.all(sets).map(all -> sum + sets.stream().mapToInt(Future::result).sum());
            });
        }
        return total;
    }

    private Future<Integer> set(BackendEndpoint from, BackendEndpoint to, String database, String setting) {
        // Following, the secondary is read first: see FOLLOW.
        return seen(to, database, setting).compose(seen -> connections.to(from, database).query(READ).execute()
                .compose(rows -> setFrom(rows, seen, to, database, setting)))
                .onSuccess(count -> {
                    if (count > 0) {
                        // A cutover's setting is said; following, every few seconds under writes, is not.
                        LOG.logf(setting.equals(ADVANCE) ? Logger.Level.INFO : Logger.Level.DEBUG,
                                "Sequences of database \"%s\": %d set on the %s past the %s's positions", database,
                                count, to.role(), from.role());
                    }
                })
                .recover(failure -> {
                    if (failure instanceof PgException pg && SqlState.INVALID_CATALOG_NAME.equals(pg.getSqlState())) {
                        LOG.warnf("Database \"%s\" has sequences on the %s and does not exist on the %s: left alone",
                                database, from.role(), to.role());
                        return Future.succeededFuture(0);
                    }
                    // Dropped while it was read (its connection terminated by DROP … WITH (FORCE), or its pool
                    // closed): a database that is gone has no sequence to set.
                    return connections.databases(from).otherwise(List.of(database)).compose(listed -> {
                        if (!listed.contains(database)) {
                            LOG.infof("Database \"%s\" was dropped while its sequences were read: left out", database);
                            return Future.succeededFuture(0);
                        }
                        return Future.failedFuture(new IllegalStateException("the sequences of database \"" + database
                                + "\" could not be set on the " + to.role() + ": " + failure.getMessage(), failure));
                    });
                });
    }

    /** Sets the sequences of {@code to} from the primary's positions {@code rows}; following, only those seen. */
    private Future<Integer> setFrom(RowSet<Row> rows, Map<String, String> seen, BackendEndpoint to, String database,
            String setting) {
        boolean following = setting.equals(FOLLOW);
        List<String> names = new ArrayList<>(rows.size());
        List<Long> positions = new ArrayList<>(rows.size());
        List<String> seenTokens = new ArrayList<>(rows.size());
        for (Row row : rows) {
            String name = row.getString(0);
            if (following && !seen.containsKey(name)) {
                continue;
            }
            names.add(name);
            positions.add(row.getLong(1));
            seenTokens.add(seen.get(name));
        }
        if (names.isEmpty()) {
            return Future.succeededFuture(0);
        }
        Tuple arguments = Tuple.tuple().addArrayOfString(names.toArray(String[]::new))
                .addArrayOfLong(positions.toArray(Long[]::new));
        if (following) {
            arguments.addArrayOfString(seenTokens.toArray(String[]::new));
        }
        return connections.to(to, database).preparedQuery(setting).execute(arguments)
                .map(result -> result.iterator().next().getLong(0).intValue());
    }
}
