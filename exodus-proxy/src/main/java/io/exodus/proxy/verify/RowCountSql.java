package io.exodus.proxy.verify;

/** The queries of row counts: the tables with their estimates, and an exact count. */
final class RowCountSql {
    /**
     * Every table verification would verify, with the planner's estimate of its rows (its partitions' included) and
     * whether it has triggers of its own; tables with triggers first.
     */
    static final String TABLES = """
            SELECT n.nspname, c.relname,
                   CASE WHEN c.relkind = 'p'
                        THEN (SELECT coalesce(sum(greatest(p.reltuples, 0)), 0)::bigint
                              FROM pg_catalog.pg_partition_tree(c.oid) t
                              JOIN pg_catalog.pg_class p ON p.oid = t.relid WHERE t.isleaf)
                        ELSE greatest(c.reltuples, 0)::bigint END,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal),
                   c.relkind = 'p'
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 4 DESC, 1, 2""";

    private RowCountSql() {
    }

    static String count(TableName table, boolean partitioned) {
        return "SELECT count(*) FROM " + (partitioned ? "" : "ONLY ") + table.sql();
    }
}
