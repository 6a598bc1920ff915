package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.exodus.testsupport.DatabaseDifference.Kind;

/**
 * Compares two copies of a whole database, as a migration must leave them: every table's and materialized view's rows
 * ({@link TableComparison}, order-insensitive), every sequence's position, the schema object by object
 * ({@link SchemaDump}), and the cluster-wide roles and database names. For workloads whose tables are not known in
 * advance, such as PostgreSQL's regression suite.
 *
 * <p>The sides are labelled ("source", "target") so that every detail says where rows or objects are.
 */
public final class DatabaseComparison {

    private static final String RELATIONS = "SELECT c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
            + " c.relispopulated FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'm', 'S') AND c.relpersistence <> 't'"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'"
            + " AND NOT n.nspname = ANY (?)";
    private static final String ROLES = "SELECT rolname, format('super=%s inherit=%s createrole=%s createdb=%s login=%s"
            + " replication=%s bypassrls=%s connlimit=%s', rolsuper, rolinherit, rolcreaterole, rolcreatedb,"
            + " rolcanlogin, rolreplication, rolbypassrls, rolconnlimit) FROM pg_roles WHERE rolname !~ '^pg_'";
    private static final String DATABASES = "SELECT datname, format('encoding=%s collate=%s ctype=%s',"
            + " pg_encoding_to_char(encoding), datcollate, datctype) FROM pg_database";

    private DatabaseComparison() {
    }

    /** One side of a comparison: a database and the word reports use for it. */
    public record Side(String label, ConnectionTarget database) {
        public Side {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(database, "database");
        }
    }

    /**
     * Every difference between a and b, sorted by kind and name; empty when they are identical.
     *
     * @param excludedSchemas schemas left out of every part, such as Exodus' own bookkeeping
     */
    public static List<DatabaseDifference> compare(Side a, Side b, List<String> excludedSchemas) throws SQLException {
        List<DatabaseDifference> differences = new ArrayList<>();
        differences.addAll(compareNamed(Kind.ROLE, a, b, ROLES));
        differences.addAll(compareNamed(Kind.DATABASE, a, b, DATABASES));
        differences.addAll(RelationContents.compare(a, b, excludedSchemas));
        differences.addAll(compareSchemas(a, b, excludedSchemas));
        differences.sort((x, y) -> x.kind() != y.kind() ? x.kind().compareTo(y.kind()) : x.name().compareTo(y.name()));
        return differences;
    }

    /** Relations of the database by qualified name: relkind ('r', 'm', 'S') and whether it holds rows. */
    static Map<String, Relation> relations(Connection connection, List<String> excludedSchemas) throws SQLException {
        Map<String, Relation> relations = new TreeMap<>();
        try (var query = connection.prepareStatement(RELATIONS)) {
            query.setArray(1, connection.createArrayOf("text", excludedSchemas.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    relations.put(rows.getString(2), new Relation(rows.getString(1).charAt(0), rows.getBoolean(3)));
                }
            }
        }
        return relations;
    }

    record Relation(char relkind, boolean populated) {
        Kind kind() {
            return relkind == 'S' ? Kind.SEQUENCE : relkind == 'm' ? Kind.MATERIALIZED_VIEW : Kind.TABLE;
        }
    }

    /** Objects named by the first column, described by the second: missing on a side, or described differently. */
    private static List<DatabaseDifference> compareNamed(Kind kind, Side a, Side b, String query) throws SQLException {
        Map<String, String> onA = named(a.database(), query);
        Map<String, String> onB = named(b.database(), query);
        List<DatabaseDifference> differences = new ArrayList<>();
        for (String name : union(onA.keySet(), onB.keySet())) {
            String descriptionA = onA.get(name);
            String descriptionB = onB.get(name);
            if (descriptionA == null || descriptionB == null) {
                differences.add(new DatabaseDifference(kind, name, missingOn(descriptionA == null ? a : b)));
            } else if (!descriptionA.equals(descriptionB)) {
                differences.add(new DatabaseDifference(kind, name, a.label() + " has " + descriptionA + ", "
                        + b.label() + " has " + descriptionB));
            }
        }
        return differences;
    }

    private static Map<String, String> named(ConnectionTarget database, String query) throws SQLException {
        Map<String, String> named = new TreeMap<>();
        try (Connection connection = database.openJdbc();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                named.put(rows.getString(1), rows.getString(2));
            }
        }
        return named;
    }

    private static List<DatabaseDifference> compareSchemas(Side a, Side b, List<String> excludedSchemas) {
        Map<String, String> onA = SchemaDump.of(a.database(), excludedSchemas).entries();
        Map<String, String> onB = SchemaDump.of(b.database(), excludedSchemas).entries();
        List<DatabaseDifference> differences = new ArrayList<>();
        for (String key : union(onA.keySet(), onB.keySet())) {
            String entryA = onA.get(key);
            String entryB = onB.get(key);
            if (entryA == null || entryB == null) {
                differences.add(new DatabaseDifference(Kind.SCHEMA, key, missingOn(entryA == null ? a : b)));
            } else if (!entryA.equals(entryB)) {
                differences.add(new DatabaseDifference(Kind.SCHEMA, key, firstDifferingLine(a, entryA, b, entryB)));
            }
        }
        return differences;
    }

    private static String firstDifferingLine(Side a, String entryA, Side b, String entryB) {
        List<String> linesA = entryA.lines().collect(Collectors.toList());
        List<String> linesB = entryB.lines().collect(Collectors.toList());
        int line = 0;
        while (line < linesA.size() && line < linesB.size() && linesA.get(line).equals(linesB.get(line))) {
            line++;
        }
        return "differs from line " + (line + 1) + ": " + a.label() + " has \""
                + (line < linesA.size() ? linesA.get(line) : "(end)") + "\", " + b.label() + " has \""
                + (line < linesB.size() ? linesB.get(line) : "(end)") + "\"";
    }

    static String missingOn(Side side) {
        return "missing on " + side.label();
    }

    static TreeSet<String> union(Set<String> x, Set<String> y) {
        TreeSet<String> union = new TreeSet<>(x);
        union.addAll(y);
        return union;
    }
}
