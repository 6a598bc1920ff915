package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Reads from the source's catalog which tables a {@link SyncRequest} covers. */
final class SourceCatalog {
    /** Exodus' own schema (the catch-up queue) is never synced: each database keeps its own. */
    static final String EXODUS_SCHEMA = "exodus";

    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relkind = 'p', c.relispartition,
                   c.relreplident = 'f'
                     OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                                          WHERE i.indrelid = c.oid AND i.indisreplident))
                     OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                                          WHERE i.indrelid = c.oid AND i.indisprimary)),
                   GREATEST(c.reltuples, 0)::bigint,
                   ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                         ORDER BY a.attnum)::text[],
                   c.relpersistence = 'u',
                   ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attidentity = 'a')::text[]
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence IN ('p', 'u')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus') AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
              AND ($1 OR n.nspname = ANY ($2::text[])
                   OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS wanted(name),
                                   pg_catalog.pg_partition_ancestors(c.oid) AS up
                              WHERE up.relid = wanted.name::regclass))
            ORDER BY c.relpages DESC, n.nspname, c.relname""";

    /**
     * The tables, largest first (they take longest, so they start first), and the unlogged ones apart: their
     * changes never reach the WAL, so the sync cannot carry them.
     */
    record Tables(List<SyncedTable> synced, List<String> unlogged) {
    }

    private SourceCatalog() {
    }

    static Future<Tables> tables(Pool source, SyncRequest request) {
        return source.preparedQuery(TABLES).execute(Tuple.of(request.everyUserSchema(),
                request.schemas().toArray(String[]::new), request.tables().toArray(String[]::new))).map(rows -> {
                    List<SyncedTable> synced = new ArrayList<>();
                    List<String> unlogged = new ArrayList<>();
                    for (Row row : rows) {
                        SyncedTable table = new SyncedTable(row.getString(0), row.getString(1), row.getBoolean(2),
                                row.getBoolean(3), row.getBoolean(4), row.getLong(5),
                                Arrays.asList(row.getArrayOfStrings(6)), Set.of(row.getArrayOfStrings(8)));
                        if (row.getBoolean(7)) {
                            unlogged.add(table.display());
                        } else {
                            synced.add(table);
                        }
                    }
                    return new Tables(synced, unlogged);
                });
    }
}
