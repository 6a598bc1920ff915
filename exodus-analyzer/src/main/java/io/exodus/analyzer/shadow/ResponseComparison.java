package io.exodus.analyzer.shadow;

import io.exodus.analyzer.shadow.Outcome.Failed;
import io.exodus.analyzer.shadow.Outcome.Rows;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares the source's and the target's answers to the replays of one statement shape, with the source's second run
 * as the noise baseline (as Diffy does): a column whose values differ between the two source runs is volatile
 * ({@code now()}, {@code random()}, a new uuid) and masked; an execution whose row count or error differs between
 * them is noise as a whole; an order that differs between them is not the statement's to keep, and its rows are
 * compared as a multiset. Pure: no database, so that every rule has a unit test.
 *
 * @param ordered   whether the statement has a top-level ORDER BY ({@link OrderByClause})
 * @param tolerance relative difference under which two floating-point values are equal
 */
public record ResponseComparison(boolean ordered, double tolerance) {

    /**
     * @param differences one per kind, the first seen, with how many executions showed it
     * @param masked      the volatile columns' names
     * @param compared    executions compared (neither noise nor a failed replay)
     * @param noisy       executions whose two source runs disagreed on their row count or error
     */
    public record Result(List<Difference> differences, List<String> masked, int compared, int noisy) {
    }

    public Result compare(List<Execution> executions) {
        BitSet masked = volatileColumns(executions);
        Map<FindingKind, Difference> first = new LinkedHashMap<>();
        Map<FindingKind, Integer> seen = new LinkedHashMap<>();
        int compared = 0;
        int noisy = 0;
        for (Execution execution : executions) {
            Verdict verdict = compare(execution, masked);
            if (verdict instanceof Noise) {
                noisy++;
            } else if (verdict instanceof Unanswered) {
                continue;
            } else {
                compared++;
                if (verdict instanceof Differs differs) {
                    first.putIfAbsent(differs.difference().kind(), differs.difference());
                    seen.merge(differs.difference().kind(), 1, Integer::sum);
                }
            }
        }
        List<Difference> differences = new ArrayList<>();
        for (Map.Entry<FindingKind, Difference> entry : first.entrySet()) {
            Difference difference = entry.getValue();
            differences.add(new Difference(difference.kind(), difference.source(), difference.target(),
                    difference.evidence() + " (" + seen.get(entry.getKey()) + " of " + compared + " replays)",
                    difference.collatedColumns()));
        }
        return new Result(differences, names(executions, masked), compared, noisy);
    }

    private sealed interface Verdict permits Same, Differs, Noise, Unanswered {
    }

    private record Same() implements Verdict {
    }

    private record Differs(Difference difference) implements Verdict {
    }

    private record Noise() implements Verdict {
    }

    /** A replay that got no answer from a database (connection lost): neither same nor different. */
    private record Unanswered() implements Verdict {
    }

    private Verdict compare(Execution execution, BitSet masked) {
        Outcome source = execution.source();
        Outcome target = execution.target();
        Outcome baseline = execution.baseline();
        if (unanswered(source) || unanswered(target) || unanswered(baseline)) {
            return new Unanswered();
        }
        if (source instanceof Failed sourceError) {
            if (!(baseline instanceof Failed baselineError) || !baselineError.sqlstate().equals(sourceError.sqlstate())) {
                return new Noise();
            }
            if (target instanceof Failed targetError && targetError.sqlstate().equals(sourceError.sqlstate())) {
                return new Same();
            }
            return new Differs(Difference.of(FindingKind.ERROR, describe(source), describe(target),
                    target instanceof Failed ? "other errors on each side" : "an error on the source only"));
        }
        Rows sourceRows = (Rows) source;
        if (!(baseline instanceof Rows baselineRows) || baselineRows.count() != sourceRows.count()) {
            return new Noise();
        }
        if (target instanceof Failed) {
            return new Differs(Difference.of(FindingKind.ERROR, describe(source), describe(target),
                    "an error on the target only"));
        }
        Rows targetRows = (Rows) target;
        if (!sourceRows.columns().equals(targetRows.columns())) {
            return new Differs(Difference.of(FindingKind.RESULT, "columns " + sourceRows.columns(),
                    "columns " + targetRows.columns(), "other column names or types"));
        }
        if (sourceRows.count() != targetRows.count()) {
            return new Differs(Difference.of(FindingKind.RESULT, describe(source), describe(target),
                    "another row count"));
        }
        if (sourceRows.truncated() || targetRows.truncated()) {
            return new Same(); // counted and typed only: exodus.analyzer.shadow.max-rows
        }
        List<List<Object>> expected = unmasked(sourceRows.rows(), masked);
        List<List<Object>> actual = unmasked(targetRows.rows(), masked);
        boolean orderKept = ordered && equalInOrder(expected, unmasked(baselineRows.rows(), masked));
        if (orderKept && equalInOrder(expected, actual)) {
            return new Same();
        }
        boolean sameRows = equalAsMultisets(expected, actual);
        if (sameRows && orderKept) {
            return new Differs(orderDifference(sourceRows, targetRows, masked));
        }
        if (sameRows) {
            return new Same();
        }
        return new Differs(valueDifference(sourceRows, expected, actual, masked));
    }

    /** The first position where the orders part, told as a collation difference when text columns differ there. */
    private Difference orderDifference(Rows source, Rows target, BitSet masked) {
        int row = 0;
        while (equalRows(unmaskedRow(source.rows().get(row), masked), unmaskedRow(target.rows().get(row), masked))) {
            row++;
        }
        List<String> collated = new ArrayList<>();
        List<Column> columns = source.columns();
        for (int c = 0; c < columns.size(); c++) {
            if (!masked.get(c) && columns.get(c).sortsByCollation()
                    && !equalCells(source.rows().get(row).get(c), target.rows().get(row).get(c))) {
                collated.add(columns.get(c).name());
            }
        }
        String where = "row " + (row + 1) + " of " + source.count();
        String sourceSide = where + " is " + RowText.of(source.rows().get(row));
        String targetSide = where + " is " + RowText.of(target.rows().get(row));
        if (collated.isEmpty()) {
            return Difference.of(FindingKind.RESULT, sourceSide, targetSide,
                    "the same rows in another order (NULL ordering or ties)");
        }
        return new Difference(FindingKind.COLLATION, sourceSide, targetSide,
                "the same ORDER BY sorts text column " + String.join(", ", collated) + " in another order",
                collated);
    }

    private Difference valueDifference(Rows source, List<List<Object>> expected, List<List<Object>> actual,
            BitSet masked) {
        List<List<Object>> missing = new ArrayList<>(sorted(expected));
        List<List<Object>> extra = new ArrayList<>(sorted(actual));
        int i = 0;
        while (i < missing.size() && i < extra.size() && equalRows(missing.get(i), extra.get(i))) {
            i++;
        }
        String columns = unmaskedNames(source.columns(), masked);
        return Difference.of(FindingKind.RESULT, "row " + RowText.of(missing.get(i)) + " of " + columns,
                "row " + RowText.of(extra.get(i)) + " instead",
                "other values (" + source.count() + " rows each" + (ordered ? ", compared as a multiset" : "")
                        + ")");
    }

    /** Columns whose values differ between the two source runs of any execution. */
    private BitSet volatileColumns(List<Execution> executions) {
        BitSet masked = new BitSet();
        for (Execution execution : executions) {
            if (execution.source() instanceof Rows source && execution.baseline() instanceof Rows baseline
                    && source.columns().equals(baseline.columns()) && source.count() == baseline.count()
                    && !source.truncated() && !baseline.truncated()) {
                for (int c = 0; c < source.columns().size(); c++) {
                    List<List<Object>> left = column(source.rows(), c);
                    List<List<Object>> right = column(baseline.rows(), c);
                    if (!(equalInOrder(left, right) || equalAsMultisets(left, right))) {
                        masked.set(c);
                    }
                }
            }
        }
        return masked;
    }

    private static List<String> names(List<Execution> executions, BitSet masked) {
        for (Execution execution : executions) {
            if (execution.source() instanceof Rows rows) {
                List<String> names = new ArrayList<>();
                masked.stream().filter(c -> c < rows.columns().size())
                        .forEach(c -> names.add(rows.columns().get(c).name()));
                return names;
            }
        }
        return List.of();
    }

    private static String unmaskedNames(List<Column> columns, BitSet masked) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            if (!masked.get(c)) {
                names.add(columns.get(c).name());
            }
        }
        return "(" + String.join(", ", names) + ")";
    }

    private static List<List<Object>> column(List<List<Object>> rows, int c) {
        return rows.stream().map(row -> List.of(cellOrMarker(row.get(c)))).toList();
    }

    /** List.of refuses null; a SQL NULL compares as this marker. */
    private static Object cellOrMarker(Object cell) {
        return cell == null ? RowText.NULL : cell;
    }

    private static List<List<Object>> unmasked(List<List<Object>> rows, BitSet masked) {
        return rows.stream().map(row -> unmaskedRow(row, masked)).toList();
    }

    private static List<Object> unmaskedRow(List<Object> row, BitSet masked) {
        List<Object> kept = new ArrayList<>(row.size());
        for (int c = 0; c < row.size(); c++) {
            if (!masked.get(c)) {
                kept.add(cellOrMarker(row.get(c)));
            }
        }
        return kept;
    }

    private boolean equalInOrder(List<List<Object>> left, List<List<Object>> right) {
        if (left.size() != right.size()) {
            return false;
        }
        for (int i = 0; i < left.size(); i++) {
            if (!equalRows(left.get(i), right.get(i))) {
                return false;
            }
        }
        return true;
    }

    private boolean equalAsMultisets(List<List<Object>> left, List<List<Object>> right) {
        return equalInOrder(sorted(left), sorted(right));
    }

    /** Sorted by a key that rounds floating-point values to the tolerance, so that near-equal values sort alike. */
    private List<List<Object>> sorted(List<List<Object>> rows) {
        int digits = Math.max(1, (int) Math.floor(-Math.log10(tolerance)) - 1);
        return rows.stream().sorted(Comparator.comparing(row -> RowText.key(row, digits))).toList();
    }

    private boolean equalRows(List<Object> left, List<Object> right) {
        if (left.size() != right.size()) {
            return false;
        }
        for (int c = 0; c < left.size(); c++) {
            if (!equalCells(left.get(c), right.get(c))) {
                return false;
            }
        }
        return true;
    }

    private boolean equalCells(Object left, Object right) {
        if (left instanceof Double a && right instanceof Double b) {
            if (a.equals(b)) {
                return true; // NaN and infinities, which the arithmetic below would not match
            }
            return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
        }
        return Objects.equals(left, right);
    }

    private static boolean unanswered(Outcome outcome) {
        return outcome instanceof Failed failed && !failed.fromDatabase();
    }

    private static String describe(Outcome outcome) {
        if (outcome instanceof Failed failed) {
            return "ERROR " + failed.sqlstate() + ": " + failed.message();
        }
        Rows rows = (Rows) outcome;
        return rows.count() + (rows.count() == 1 ? " row" : " rows") + " of " + rows.columns();
    }
}
