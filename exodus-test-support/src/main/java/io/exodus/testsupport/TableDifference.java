package io.exodus.testsupport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TableComparison} found for one table on two databases, a and b. Rows are compared as multisets of
 * their PostgreSQL text form, so a changed value shows as one row only on a and one only on b, next to each other
 * in the examples.
 *
 * @param table               the table as the caller named it
 * @param sideA               where a is, without password
 * @param sideB               where b is, without password
 * @param columns             the columns in the order the example rows show them (those of a)
 * @param rowsOnA             all rows of the table on a
 * @param rowsOnB             all rows of the table on b
 * @param onlyOnA             rows on a without an equal row on b (a duplicate counts once per copy)
 * @param onlyOnB             rows on b without an equal row on a
 * @param onlyOnAExamples     the first few of those, in sort order
 * @param onlyOnBExamples     the first few of those, in sort order
 * @param structureDifference set when the table is missing on a side or its columns differ; rows were then not
 *                            compared and only counted
 */
public record TableDifference(String table, String sideA, String sideB, List<String> columns, long rowsOnA,
        long rowsOnB, long onlyOnA, long onlyOnB, List<String> onlyOnAExamples, List<String> onlyOnBExamples,
        Optional<String> structureDifference) {

    /** How many rows of each side a report shows. */
    public static final int MAX_EXAMPLES = 5;

    public TableDifference {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(sideA, "sideA");
        Objects.requireNonNull(sideB, "sideB");
        columns = List.copyOf(columns);
        onlyOnAExamples = List.copyOf(onlyOnAExamples);
        onlyOnBExamples = List.copyOf(onlyOnBExamples);
        Objects.requireNonNull(structureDifference, "structureDifference");
    }

    public boolean identical() {
        return structureDifference.isEmpty() && onlyOnA == 0 && onlyOnB == 0;
    }

    /** One line when identical; otherwise the counts, then example rows of each side, one per line. */
    @Override
    public String toString() {
        if (identical()) {
            return table + ": identical, " + rowsOnA + " rows on both sides";
        }
        StringBuilder report = new StringBuilder(table).append(": differs; ")
                .append(rowsOnA).append(" rows on a ").append(sideA).append(", ")
                .append(rowsOnB).append(" rows on b ").append(sideB);
        structureDifference.ifPresent(difference -> report.append("\n  ").append(difference));
        if (structureDifference.isEmpty()) {
            report.append("\n  ").append(onlyOnA).append(" rows only on a, ").append(onlyOnB)
                    .append(" rows only on b; rows are (").append(String.join(",", columns)).append(")");
            appendExamples(report, "only on a", onlyOnA, onlyOnAExamples);
            appendExamples(report, "only on b", onlyOnB, onlyOnBExamples);
        }
        return report.toString();
    }

    private static void appendExamples(StringBuilder report, String label, long count, List<String> examples) {
        for (String row : examples) {
            report.append("\n    ").append(label).append(": ").append(row);
        }
        if (count > examples.size()) {
            report.append("\n    ").append(label).append(": ... and ").append(count - examples.size()).append(" more");
        }
    }
}
