package io.exodus.proxy.consistency;

/**
 * The catalog query that reads a {@link TableShape} from the primary. Its text carries the table OID as a number
 * literal, so it needs no parameters and can go as one simple Query inside the client's transaction, where it sees
 * the table as the INSERT just saw it.
 */
public final class TableShapeQuery {

    /** The first row of a view that inserts into its base table itself (no INSTEAD OF INSERT trigger, no rule). */
    private static final String AUTO_UPDATABLE_VIEW = "c.relkind = 'v' AND a.attnum = 1 AND NOT EXISTS (SELECT 1 FROM"
            + " pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgtype & 68 = 68) AND NOT EXISTS (SELECT 1"
            + " FROM pg_catalog.pg_rewrite w WHERE w.ev_class = c.oid AND w.ev_type = '3')";

    /** The relations a view's query reads (its rule's dependencies), the view itself left out. */
    /**
     * An enabled BEFORE (or INSTEAD OF) INSERT trigger for each row, whose function may return NULL: a plpgsql one
     * that says {@code RETURN NULL} somewhere, or one in any other language. tgtype: 1 row, 2 before, 4 insert, 64
     * instead; tgenabled O and A fire in an ordinary session.
     */
    private static final String INSERT_TRIGGER_MAY_KEEP_ROWS = "EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t"
            + " JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND t.tgtype & 5 = 5"
            + " AND t.tgtype & 66 <> 0 AND (l.lanname <> 'plpgsql' OR p.prosrc ~* 'return[[:space:]]+null'))";
    /**
     * An enabled BEFORE (or INSTEAD OF) trigger for each row on this event (tgtype 4 insert, 16 update) of the table or
     * of any of its partitions: it may change the row, and would change a row image again on the secondary.
     */
    private static String rowTriggerBefore(int event) {
        return "EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid IN (SELECT p.relid FROM"
                + " pg_catalog.pg_partition_tree(c.oid) p UNION ALL SELECT c.oid) AND NOT t.tgisinternal"
                + " AND t.tgenabled IN ('O', 'A') AND t.tgtype & 1 = 1 AND t.tgtype & 66 <> 0 AND t.tgtype & " + event
                + " <> 0)";
    }

    /** A live column with a default or an identity: an INSERT that leaves it out draws a value on each database. */
    private static final String DRAWS_DEFAULTS = "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute d WHERE d.attrelid"
            + " = c.oid AND d.attnum > 0 AND NOT d.attisdropped AND (d.atthasdef AND d.attgenerated = ''"
            + " OR d.attidentity <> ''))";
    private static final String TABLES_THE_VIEW_READS = "SELECT d.refobjid FROM pg_catalog.pg_depend d"
            + " JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid WHERE r.ev_class = c.oid AND d.refobjid <> c.oid"
            + " AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
            + " AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass";

    private TableShapeQuery() {
    }

    /**
     * One row per live column of the table, in {@code attnum} order: table OID, qualified name
     * ({@code format('%I.%I')}, so quoted where needed), attnum, attname, attgenerated (also {@code s} for a view's
     * column that cannot be written), attidentity, whether the column is in the primary key; for a view, on its first
     * row, its query tree, the generated columns ({@code table:column,…}) of the tables it reads, and the columns of
     * those tables it never names that have a default ({@code name,…}); whether a trigger may keep an INSERT's rows
     * out of it, whether it is a table whose rows have a position (plain or partitioned), whether BEFORE row triggers
     * on INSERT and on UPDATE may change its rows, and whether a column draws a default. A table without
     * columns gives one row with nulls after the name; an OID that is no table gives no row. Read with
     * {@link TableShape#fromRows}.
     */
    public static String sql(int tableOid) {
        // An OID is unsigned; Integer.toUnsignedString keeps one above 2^31 right.
        // A temporary table lives in a schema whose name differs per session and per server: pg_temp names the
        // session's own on either side.
        return "SELECT c.oid, pg_catalog.format('%I.%I', CASE WHEN n.oid = pg_catalog.pg_my_temp_schema()"
                + " THEN 'pg_temp' ELSE n.nspname END, c.relname), a.attnum, a.attname,"
                // A view's column that is no plain column of its base table (an expression) takes no value: left out
                // of the image like a generated column, so that the secondary computes it.
                + " CASE WHEN c.relkind = 'v' AND NOT pg_catalog.pg_column_is_updatable(c.oid, a.attnum, true)"
                + " THEN 's' ELSE a.attgenerated END, a.attidentity, a.attnum = ANY (k.indkey),"
                // A view's query tree and the generated columns of the tables it reads, once (first row): a view
                // column whose origin is one of them, or the origin of an earlier column, takes no value either.
                // Not for a view written through an INSTEAD OF trigger or an INSERT rule: those take every column.
                + " CASE WHEN " + AUTO_UPDATABLE_VIEW + " THEN (SELECT r.ev_action::text FROM"
                + " pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') END,"
                + " CASE WHEN " + AUTO_UPDATABLE_VIEW + " THEN (SELECT pg_catalog.string_agg(g.attrelid::text"
                + " || ':' || g.attnum, ',') FROM pg_catalog.pg_attribute g WHERE g.attgenerated <> '' AND g.attrelid"
                + " IN (" + TABLES_THE_VIEW_READS + ")) END,"
                // And the columns of the tables it reads that it never names and that have a default: each database
                // draws those for an INSERT through it.
                + " CASE WHEN " + AUTO_UPDATABLE_VIEW + " THEN (SELECT pg_catalog.string_agg(b.attname, ','"
                + " ORDER BY b.attnum) FROM pg_catalog.pg_attribute b WHERE b.attnum > 0 AND NOT b.attisdropped"
                + " AND b.attgenerated = '' AND (b.atthasdef OR b.attidentity <> '') AND b.attrelid IN ("
                + TABLES_THE_VIEW_READS + ")"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r"
                + " ON r.oid = d.objid WHERE r.ev_class = c.oid AND d.refobjid = b.attrelid"
                + " AND d.refobjsubid = b.attnum)) END,"
                // Whether an INSERT's rows may be kept out of it by a trigger (see TableShape).
                + " " + INSERT_TRIGGER_MAY_KEEP_ROWS + ","
                // Whether its rows have a position (tableoid, ctid): a table, not a view or a foreign table.
                + " c.relkind IN ('r', 'p'), " + rowTriggerBefore(4) + ", " + rowTriggerBefore(16) + ", "
                + DRAWS_DEFAULTS
                + " FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
                + " AND NOT a.attisdropped"
                + " LEFT JOIN pg_catalog.pg_index k ON k.indrelid = c.oid AND k.indisprimary"
                + " WHERE c.oid = " + Integer.toUnsignedString(tableOid) + "::pg_catalog.oid"
                + " ORDER BY a.attnum";
    }
}
