package io.exodus.proxy.consistency;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a row image needs to know about the table an INSERT wrote into, read from the primary's catalog by
 * {@link TableShapeQuery}: its name as SQL text, its live columns, and which of them the secondary must compute
 * itself (stored generated columns reject any value).
 *
 * @param tableOid            the table's OID on the primary, as RowDescription fields name it
 * @param qualifiedName       schema and table, each quoted as needed, ready to put into SQL: {@code public.t},
 *                            {@code "My Schema"."T"}
 * @param columnNamesByNumber every live column ({@code attnum > 0}, not dropped) by its {@code attnum}, as stored
 *                            (unquoted)
 * @param generatedColumns    the {@code attnum}s of the stored generated columns
 * @param hasIdentity         whether a column is an identity column ({@code GENERATED … AS IDENTITY})
 * @param keyColumns          the {@code attnum}s of the primary key's columns, empty without one
 * @param alwaysIdentity      the {@code attnum}s of {@code GENERATED ALWAYS AS IDENTITY} columns: an UPDATE may set
 *                            them to DEFAULT only
 * @param hiddenDefaults      for a view, the columns of its table that it does not show and that have a default or
 *                            are identities: an INSERT through the view lets each database draw them on its own
 * @param insertTriggerMayKeepRows a BEFORE or INSTEAD OF INSERT trigger for each row may return NULL: keep a row out of
 *                            the table (having put it elsewhere, as partitioning by inheritance does), so that the
 *                            rows an INSERT returns are not all it wrote
 * @param storesRows          a table (plain or partitioned) rather than a view or a foreign table: its rows have a
 *                            position ({@code tableoid}, {@code ctid}) by which the secondary can pick one of several
 *                            equal rows of a table without primary key
 * @param changedBefore       the row events (INSERT, UPDATE) on which an enabled BEFORE or INSTEAD OF trigger for each
 *                            row of the table (or of a partition) may change the row: run again on a row image on the
 *                            secondary, it would change the source's finished row a second time
 * @param drawsDefaults       a live column has a default or is an identity: an INSERT that leaves it out has each
 *                            database draw its value
 */
public record TableShape(int tableOid, String qualifiedName, Map<Short, String> columnNamesByNumber,
        Set<Short> generatedColumns, boolean hasIdentity, Set<Short> keyColumns, Set<Short> alwaysIdentity,
        List<String> hiddenDefaults, boolean insertTriggerMayKeepRows, boolean storesRows,
        Set<RowEvent> changedBefore, boolean drawsDefaults) {

    /** The row events a trigger can change a row on. */
    public enum RowEvent {
        INSERT, UPDATE
    }

    public TableShape {
        Objects.requireNonNull(qualifiedName, "qualifiedName");
        columnNamesByNumber = Collections.unmodifiableMap(new LinkedHashMap<>(columnNamesByNumber));
        generatedColumns = Collections.unmodifiableSet(new LinkedHashSet<>(generatedColumns));
        keyColumns = Collections.unmodifiableSet(new LinkedHashSet<>(keyColumns));
        alwaysIdentity = Collections.unmodifiableSet(new LinkedHashSet<>(alwaysIdentity));
        hiddenDefaults = List.copyOf(hiddenDefaults);
        changedBefore = Set.copyOf(changedBefore);
    }

    public TableShape(int tableOid, String qualifiedName, Map<Short, String> columnNamesByNumber,
            Set<Short> generatedColumns, boolean hasIdentity) {
        this(tableOid, qualifiedName, columnNamesByNumber, generatedColumns, hasIdentity, Set.of(), Set.of(),
                List.of(), false, true, Set.of(), false);
    }

    /**
     * Builds the shape from the text rows of {@link TableShapeQuery#sql(int)}: table OID, qualified name, attnum,
     * attname, attgenerated, attidentity, whether the column is in the primary key, one row per live column (a table
     * without columns gives one row whose column fields are null).
     *
     * @throws IllegalArgumentException when there is no row: the table does not exist
     */
    public static TableShape fromRows(List<List<String>> textRows) {
        if (textRows.isEmpty()) {
            throw new IllegalArgumentException("the catalog has no such table");
        }
        Map<Short, String> names = new LinkedHashMap<>();
        Set<Short> generated = new LinkedHashSet<>();
        Set<Short> key = new LinkedHashSet<>();
        Set<Short> always = new LinkedHashSet<>();
        boolean identity = false;
        for (List<String> row : textRows) {
            if (row.get(2) == null) {
                continue;
            }
            short number = Short.parseShort(row.get(2));
            names.put(number, row.get(3));
            if (isSet(row.get(4))) {
                generated.add(number);
            }
            identity |= isSet(row.get(5));
            if ("a".equals(row.get(5))) {
                always.add(number);
            }
            if (row.size() > 6 && "t".equals(row.get(6))) {
                key.add(number);
            }
        }
        List<String> first = textRows.get(0);
        if (first.size() > 8 && first.get(7) != null) {
            generated.addAll(viewColumnsTakingNoValue(first.get(7), first.get(8), names.keySet()));
        }
        List<String> hidden = first.size() > 9 && first.get(9) != null ? List.of(first.get(9).split(",")) : List.of();
        boolean mayKeepRows = first.size() > 10 && "t".equals(first.get(10));
        boolean storesRows = first.size() > 11 && "t".equals(first.get(11));
        Set<RowEvent> changedBefore = EnumSet.noneOf(RowEvent.class);
        if (first.size() > 13) {
            if ("t".equals(first.get(12))) {
                changedBefore.add(RowEvent.INSERT);
            }
            if ("t".equals(first.get(13))) {
                changedBefore.add(RowEvent.UPDATE);
            }
        }
        boolean drawsDefaults = first.size() <= 14 || "t".equals(first.get(14));
        return new TableShape(Integer.parseUnsignedInt(first.get(0)), first.get(1), names, generated, identity, key,
                always, hidden, mayKeepRows, storesRows, changedBefore, drawsDefaults);
    }

    /**
     * The columns of a view that a row image must leave out although the view calls them updatable: those whose
     * origin is a generated column of the base table, and those whose origin an earlier column of the view has
     * already ({@code SELECT a, b, a AS aa}).
     *
     * @param generatedOrigins {@code table:column} of the generated columns of the tables the view reads, comma
     *                         separated, or null
     */
    private static Set<Short> viewColumnsTakingNoValue(String evAction, String generatedOrigins, Set<Short> columns) {
        Set<String> generatedColumns = generatedOrigins == null ? Set.of() : Set.of(generatedOrigins.split(","));
        Map<Integer, ViewColumnOrigins.Origin> origins = ViewColumnOrigins.of(evAction);
        Set<ViewColumnOrigins.Origin> seen = new HashSet<>();
        Set<Short> leftOut = new LinkedHashSet<>();
        for (short column : columns) {
            ViewColumnOrigins.Origin origin = origins.get((int) column);
            if (origin == null) {
                continue;
            }
            if (!seen.add(origin) || generatedColumns.contains(origin.table() + ":" + origin.column())) {
                leftOut.add(column);
            }
        }
        return leftOut;
    }

    /** The column's name; fails for a number the table has no live column for. */
    public String columnName(short number) {
        String name = columnNamesByNumber.get(number);
        if (name == null) {
            throw new IllegalArgumentException(qualifiedName + " has no column number " + number);
        }
        return name;
    }

    /** The number of the live column of that name, or -1. */
    public short columnNumber(String name) {
        for (Map.Entry<Short, String> column : columnNamesByNumber.entrySet()) {
            if (column.getValue().equals(name)) {
                return column.getKey();
            }
        }
        return -1;
    }

    public boolean isGenerated(short number) {
        return generatedColumns.contains(number);
    }

    /** A {@code "char"} catalog flag: its text is empty when unset. */
    private static boolean isSet(String flag) {
        return flag != null && !flag.isEmpty();
    }
}
