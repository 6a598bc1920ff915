package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The source's schema as far as a sync copies it, one digest per object: tables and their columns, views, sequences,
 * indexes, constraints, triggers, rules, policies, functions, types, schemas. The sync copies the schema once, at its
 * start; DDL on the source after that would leave the target without it, in silence (an index or a constraint
 * missing, a new table's rows never copied). So the sync reads this at its start and again after the rows, after each
 * catch-up and inside the switch's pause, and fails naming what changed (ADR 0052). Read over the catalog rather
 * than by pg_dump: one query, cheap enough for the pause. Indexes are read from their catalog row rather than
 * deparsed ({@code pg_get_indexdef} took 60 µs an index, most of the query on a catalog of 2,000 tables).
 */
record SchemaFingerprint(Map<String, String> digests) {
    /**
     * The objects in the sync's reach, with the scope {@link SourceCatalog} gives the tables: every user schema, the
     * schemas asked for, or the tables asked for with their partitions. Names are written out in full, not through
     * regclass, so that a fingerprint another proxy journaled reads the same whatever its search path.
     */
    private static final String READ = """
            WITH scoped AS (
                SELECT n.oid FROM pg_catalog.pg_namespace n
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus') AND n.nspname NOT LIKE 'pg\\_%'
                  AND ($1 OR n.nspname = ANY ($2::text[]))
            ), rels AS (
                SELECT c.oid, c.relkind, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
                       AS name
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus') AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype = 'e')
                  AND (c.relnamespace IN (SELECT oid FROM scoped)
                       OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS wanted(name),
                                       pg_catalog.pg_partition_ancestors(c.oid) AS up
                                  WHERE up.relid = pg_catalog.to_regclass(wanted.name)))
            )
            SELECT CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                       WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END,
                   r.name,
                   pg_catalog.md5(concat_ws('|', c.relpersistence, pg_catalog.pg_get_userbyid(c.relowner), c.relacl,
                       c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.reloptions,
                       pg_catalog.pg_get_partkeydef(c.oid), pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                       CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END,
                       (SELECT concat_ws(' ', s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache,
                                         s.seqcycle)
                        FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid),
                       (SELECT string_agg(concat_ws(' ', pg_catalog.quote_ident(a.attname),
                                                    pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                                    a.attidentity, a.attgenerated, a.attcollation, a.attacl,
                                                    pg_catalog.pg_get_expr(d.adbin, d.adrelid)), ', '
                                          ORDER BY a.attnum)
                        FROM pg_catalog.pg_attribute a
                        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)))
            FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.oid
            UNION ALL
            SELECT 'index', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(ic.relname),
                   pg_catalog.md5(concat_ws('|', i.indrelid, ic.relam, i.indisunique, i.indisprimary, i.indimmediate,
                       i.indisvalid, i.indkey, i.indclass, i.indcollation, i.indoption, i.indexprs, i.indpred,
                       ic.reloptions))
            FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
            WHERE i.indrelid IN (SELECT oid FROM rels)
            UNION ALL
            SELECT 'constraint', r.name || ' ' || pg_catalog.quote_ident(co.conname),
                   pg_catalog.md5(concat_ws('|', pg_catalog.pg_get_constraintdef(co.oid), co.convalidated))
            FROM pg_catalog.pg_constraint co JOIN rels r ON r.oid = co.conrelid
            UNION ALL
            SELECT 'trigger', r.name || ' ' || pg_catalog.quote_ident(t.tgname),
                   pg_catalog.md5(concat_ws('|', pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled))
            FROM pg_catalog.pg_trigger t JOIN rels r ON r.oid = t.tgrelid
            WHERE NOT t.tgisinternal
            UNION ALL
            SELECT 'rule', r.name || ' ' || pg_catalog.quote_ident(w.rulename),
                   pg_catalog.md5(concat_ws('|', pg_catalog.pg_get_ruledef(w.oid), w.ev_enabled))
            FROM pg_catalog.pg_rewrite w JOIN rels r ON r.oid = w.ev_class
            WHERE w.rulename <> '_RETURN'
            UNION ALL
            SELECT 'policy', r.name || ' ' || pg_catalog.quote_ident(p.polname),
                   pg_catalog.md5(concat_ws('|', p.polcmd, p.polpermissive, p.polroles,
                       pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
            FROM pg_catalog.pg_policy p JOIN rels r ON r.oid = p.polrelid
            UNION ALL
            SELECT 'function', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '('
                       || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
                   pg_catalog.md5(concat_ws('|', p.prokind, p.prosrc, p.probin, p.prolang,
                       pg_catalog.pg_get_function_result(p.oid), p.provolatile, p.proisstrict, p.prosecdef,
                       p.proconfig, pg_catalog.pg_get_userbyid(p.proowner), p.proacl))
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE p.pronamespace IN (SELECT oid FROM scoped)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'type', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname),
                   pg_catalog.md5(concat_ws('|', t.typtype, pg_catalog.format_type(t.typbasetype, t.typtypmod),
                       t.typnotnull, t.typdefault, t.typacl,
                       (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e
                        WHERE e.enumtypid = t.oid),
                       (SELECT string_agg(pg_catalog.pg_get_constraintdef(co.oid), ',' ORDER BY co.conname)
                        FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid),
                       (SELECT string_agg(concat_ws(' ', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)),
                                          ',' ORDER BY a.attnum)
                        FROM pg_catalog.pg_attribute a WHERE t.typtype = 'c' AND a.attrelid = t.typrelid
                          AND a.attnum > 0 AND NOT a.attisdropped)))
            FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typnamespace IN (SELECT oid FROM scoped) AND t.typtype IN ('e', 'd', 'c', 'r', 'm')
              AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid
                                                AND c.relkind = 'c'))
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass
                              AND d.objid = t.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'extension', pg_catalog.quote_ident(e.extname), pg_catalog.md5(concat_ws('|', e.extversion, e.extnamespace))
            FROM pg_catalog.pg_extension e WHERE e.extnamespace IN (SELECT oid FROM scoped)
            UNION ALL
            SELECT 'schema', pg_catalog.quote_ident(n.nspname),
                   pg_catalog.md5(concat_ws('|', pg_catalog.pg_get_userbyid(n.nspowner), n.nspacl))
            FROM pg_catalog.pg_namespace n WHERE n.oid IN (SELECT oid FROM scoped)""";

    SchemaFingerprint {
        digests = Map.copyOf(digests);
    }

    /** DDL changed the source's schema during the sync: the sync fails, saying what changed and what to do. */
    static final class Changed extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Changed(List<String> changes) {
            super("the source's schema changed during the sync (DDL): " + NamedList.of(changes)
                    + ". The sync copies the schema once, at its start, so the target would lack this: the sync is "
                    + "stopped and the application keeps running on the source alone. Make schema changes before or "
                    + "after a sync; to sync again, make the same change on the target or empty it, then POST "
                    + "/exodus/migration/sync");
        }
    }

    /** The source's schema now, for what {@code request} covers. */
    static Future<SchemaFingerprint> read(Pool source, SyncRequest request) {
        return source.preparedQuery(READ).execute(Tuple.of(request.everyUserSchema(),
                request.schemas().toArray(String[]::new), request.tables().toArray(String[]::new))).map(rows -> {
                    Map<String, String> digests = new TreeMap<>();
                    for (Row row : rows) {
                        digests.put(row.getString(0) + " " + row.getString(1), row.getString(2));
                    }
                    return new SchemaFingerprint(digests);
                });
    }

    /** What DDL changed since {@code earlier}, as a person reads it ("index public.t_x created"); empty: nothing. */
    List<String> changesSince(SchemaFingerprint earlier) {
        List<String> changes = new ArrayList<>();
        new TreeMap<>(earlier.digests).forEach((object, digest) -> {
            String now = digests.get(object);
            if (now == null) {
                changes.add(object + " dropped");
            } else if (!now.equals(digest)) {
                changes.add(object + " altered");
            }
        });
        new TreeMap<>(digests).keySet().stream().filter(object -> !earlier.digests.containsKey(object))
                .forEach(object -> changes.add(object + " created"));
        return changes;
    }

    /** For the sync's journal, so that a sync resumed by another proxy compares with the first run's. */
    String toJson() {
        return new JsonObject(Map.copyOf(digests)).encode();
    }

    static SchemaFingerprint fromJson(String json) {
        Map<String, String> digests = new TreeMap<>();
        new JsonObject(json).forEach(entry -> digests.put(entry.getKey(), String.valueOf(entry.getValue())));
        return new SchemaFingerprint(digests);
    }
}
