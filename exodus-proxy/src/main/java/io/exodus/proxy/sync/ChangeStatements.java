package io.exodus.proxy.sync;

import io.exodus.proxy.sql.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL that applies one decoded change to the target. Values are written as untyped string literals, which
 * PostgreSQL reads with the column type's input function exactly as it wrote them with its output function, so
 * every type round-trips without knowing its OID (which differs between servers for user-defined types).
 * Needs {@code standard_conforming_strings = on} on the applying session.
 */
final class ChangeStatements {

    /**
     * @param mustTouchOneRow an UPDATE or DELETE of one row by its key: any other count means the target differs
     * @param insertInto      for an INSERT, everything before its row: consecutive INSERTs with the same one are
     *                        sent as one statement of many rows; null for other statements
     * @param row             for an INSERT, its parenthesised values
     */
    record Statement(String sql, boolean mustTouchOneRow, String insertInto, String row) {
        Statement(String sql, boolean mustTouchOneRow) {
            this(sql, mustTouchOneRow, null, null);
        }
    }

    private ChangeStatements() {
    }

    /**
     * @param alwaysIdentity per table ({@code schema.name}), its {@code GENERATED ALWAYS AS IDENTITY} columns: an
     *                       UPDATE cannot set them, and the source's could not change them either
     */
    static Statement of(PgOutputMessage change, Map<Integer, PgOutputMessage.Relation> relations,
            Map<String, Set<String>> alwaysIdentity) {
        if (change instanceof PgOutputMessage.Insert insert) {
            return insert(relation(relations, insert.relation()), insert.row());
        }
        if (change instanceof PgOutputMessage.Update update) {
            PgOutputMessage.Relation relation = relation(relations, update.relation());
            return update(relation, update,
                    alwaysIdentity.getOrDefault(relation.schema() + "." + relation.name(), Set.of()));
        }
        if (change instanceof PgOutputMessage.Delete delete) {
            PgOutputMessage.Relation relation = relation(relations, delete.relation());
            return new Statement("DELETE FROM " + name(relation) + " WHERE ctid = ("
                    + rowByKey(relation, delete.oldKey()) + ")", true);
        }
        if (change instanceof PgOutputMessage.Truncate truncate) {
            List<String> names = new ArrayList<>();
            truncate.relations().forEach(id -> names.add(name(relation(relations, id))));
            return new Statement("TRUNCATE " + String.join(", ", names)
                    + (truncate.restartIdentity() ? " RESTART IDENTITY" : "")
                    + (truncate.cascade() ? " CASCADE" : ""), false);
        }
        throw new IllegalArgumentException("not a change: " + change);
    }

    private static Statement insert(PgOutputMessage.Relation relation, PgOutputMessage.Tuple row) {
        StringBuilder columns = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < relation.columns().size(); i++) {
            if (i > 0) {
                columns.append(", ");
                values.append(", ");
            }
            columns.append(Identifiers.quote(relation.columns().get(i)));
            values.append(literal(row.values().get(i)));
        }
        // OVERRIDING SYSTEM VALUE: the source's value of a GENERATED ALWAYS identity column is the one to keep.
        String into = "INSERT INTO " + name(relation) + " (" + columns + ") OVERRIDING SYSTEM VALUE VALUES ";
        return new Statement(into + "(" + values + ")", false, into, "(" + values + ")");
    }

    private static Statement update(PgOutputMessage.Relation relation, PgOutputMessage.Update update,
            Set<String> alwaysIdentity) {
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < relation.columns().size(); i++) {
            // Without an old key the key did not change; TOASTed values left as they were are not sent.
            boolean keyKept = update.oldKey() == null && relation.keyColumns().get(i);
            if (update.row().unchanged(i) || keyKept || alwaysIdentity.contains(relation.columns().get(i))) {
                continue;
            }
            if (!set.isEmpty()) {
                set.append(", ");
            }
            set.append(Identifiers.quote(relation.columns().get(i))).append(" = ")
                    .append(literal(update.row().values().get(i)));
        }
        // The old key is sent only when the key changed; otherwise the new row's key columns name the row.
        PgOutputMessage.Tuple key = update.oldKey() != null ? update.oldKey() : update.row();
        if (set.isEmpty()) {
            return new Statement("SELECT 1 FROM " + name(relation) + " WHERE ctid = (" + rowByKey(relation, key)
                    + ")", true);
        }
        return new Statement("UPDATE " + name(relation) + " SET " + set + " WHERE ctid = (" + rowByKey(relation, key)
                + ")", true);
    }

    /**
     * The one row a key names. Under REPLICA IDENTITY FULL the "key" is the whole old row, which two rows may share;
     * LIMIT 1 then changes one of them, as the source did.
     */
    private static String rowByKey(PgOutputMessage.Relation relation, PgOutputMessage.Tuple key) {
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < relation.columns().size(); i++) {
            if (!relation.keyColumns().get(i) || i >= key.values().size() || key.unchanged(i)) {
                continue;
            }
            if (!where.isEmpty()) {
                where.append(" AND ");
            }
            String value = key.values().get(i);
            where.append(Identifiers.quote(relation.columns().get(i)))
                    .append(value == null ? " IS NULL" : " = " + literal(value));
        }
        if (where.isEmpty()) {
            throw new IllegalStateException("a change of " + relation.schema() + "." + relation.name()
                    + " carries no key");
        }
        return "SELECT ctid FROM " + name(relation) + " WHERE " + where + " LIMIT 1";
    }

    private static PgOutputMessage.Relation relation(Map<Integer, PgOutputMessage.Relation> relations, int id) {
        PgOutputMessage.Relation relation = relations.get(id);
        if (relation == null) {
            throw new IllegalStateException("a change of relation " + id + " came before its Relation message");
        }
        return relation;
    }

    private static String name(PgOutputMessage.Relation relation) {
        return Identifiers.quote(relation.schema()) + "." + Identifiers.quote(relation.name());
    }

    static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }
}
