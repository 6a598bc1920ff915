package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.exodus.testsupport.DatabaseComparison.Relation;
import io.exodus.testsupport.DatabaseComparison.Side;
import io.exodus.testsupport.DatabaseDifference.Kind;

/**
 * The data part of a {@link DatabaseComparison}: which tables, materialized views and sequences exist on each side,
 * and for those on both, their rows (tables, populated materialized views) or position (sequences).
 */
final class RelationContents {

    private RelationContents() {
    }

    static List<DatabaseDifference> compare(Side a, Side b, List<String> excludedSchemas) throws SQLException {
        Map<String, Relation> onA;
        Map<String, Relation> onB;
        try (Connection connectionA = a.database().openJdbc(); Connection connectionB = b.database().openJdbc()) {
            onA = DatabaseComparison.relations(connectionA, excludedSchemas);
            onB = DatabaseComparison.relations(connectionB, excludedSchemas);
            List<DatabaseDifference> differences = new ArrayList<>();
            List<String> withRows = new ArrayList<>();
            for (String name : DatabaseComparison.union(onA.keySet(), onB.keySet())) {
                Relation relationA = onA.get(name);
                Relation relationB = onB.get(name);
                if (relationA == null || relationB == null) {
                    Relation present = relationA == null ? relationB : relationA;
                    differences.add(new DatabaseDifference(present.kind(), name,
                            DatabaseComparison.missingOn(relationA == null ? a : b)));
                } else if (relationA.relkind() != relationB.relkind()) {
                    differences.add(new DatabaseDifference(relationA.kind(), name, "a " + relationA.kind().label()
                            + " on " + a.label() + ", a " + relationB.kind().label() + " on " + b.label()));
                } else if (relationA.kind() == Kind.SEQUENCE) {
                    compareSequence(name, a, connectionA, b, connectionB).ifPresent(differences::add);
                } else if (relationA.populated() != relationB.populated()) {
                    differences.add(new DatabaseDifference(relationA.kind(), name, "populated on "
                            + (relationA.populated() ? a.label() : b.label()) + " only"));
                } else if (relationA.populated()) {
                    withRows.add(name);
                }
            }
            differences.addAll(compareRows(a, b, withRows, onA));
            return differences;
        }
    }

    private static Optional<DatabaseDifference> compareSequence(String name, Side a, Connection onA,
            Side b, Connection onB) throws SQLException {
        String positionA = position(onA, name);
        String positionB = position(onB, name);
        return positionA.equals(positionB) ? Optional.empty()
                : Optional.of(new DatabaseDifference(Kind.SEQUENCE, name,
                        a.label() + " at " + positionA + ", " + b.label() + " at " + positionB));
    }

    /** last_value, and whether nextval() has returned it yet: what the next nextval() depends on. */
    private static String position(Connection connection, String sequence) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT last_value, is_called FROM " + sequence)) {
            row.next();
            return row.getString(1) + (row.getBoolean(2) ? " (called)" : " (not called)");
        }
    }

    /** All tables in one snapshot per side; if one cannot be read, each again on its own so that it can be named. */
    private static List<DatabaseDifference> compareRows(Side a, Side b, List<String> tables,
            Map<String, Relation> relations) {
        List<DatabaseDifference> differences = new ArrayList<>();
        try {
            for (TableDifference table : TableComparison.compare(a.database(), b.database(),
                    tables.toArray(String[]::new))) {
                describe(table, a, b, relations).ifPresent(differences::add);
            }
            return differences;
        } catch (SQLException | RuntimeException together) {
            for (String table : tables) {
                try {
                    TableComparison.compare(a.database(), b.database(), table).forEach(
                            difference -> describe(difference, a, b, relations).ifPresent(differences::add));
                } catch (SQLException | RuntimeException alone) {
                    differences.add(new DatabaseDifference(relations.get(table).kind(), table,
                            "could not be compared: " + alone.getMessage()));
                }
            }
            return differences;
        }
    }

    private static Optional<DatabaseDifference> describe(TableDifference table, Side a, Side b,
            Map<String, Relation> relations) {
        if (table.identical()) {
            return Optional.empty();
        }
        StringBuilder detail = new StringBuilder()
                .append(table.rowsOnA()).append(" rows on ").append(a.label()).append(", ")
                .append(table.rowsOnB()).append(" on ").append(b.label());
        table.structureDifference().ifPresent(structure -> detail.append("; ").append(structure
                .replace("missing on a", "missing on " + a.label()).replace("missing on b", "missing on " + b.label())
                .replace("differ: a has", "differ: " + a.label() + " has").replace(", b has", ", " + b.label() + " has")));
        if (table.structureDifference().isEmpty()) {
            detail.append("; ").append(table.onlyOnA()).append(" only on ").append(a.label()).append(", ")
                    .append(table.onlyOnB()).append(" only on ").append(b.label());
            table.onlyOnAExamples().stream().limit(2).forEach(row -> detail.append("; only on ").append(a.label())
                    .append(": ").append(row));
            table.onlyOnBExamples().stream().limit(2).forEach(row -> detail.append("; only on ").append(b.label())
                    .append(": ").append(row));
        }
        return Optional.of(new DatabaseDifference(relations.get(table.table()).kind(), table.table(),
                detail.toString()));
    }
}
