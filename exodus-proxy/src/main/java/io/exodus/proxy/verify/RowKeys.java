package io.exodus.proxy.verify;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Which key a table's rows are matched by on both databases. The source decides: its primary key, else the first of
 * its unique keys (as {@link TableDefinition.UniqueKey} defines them) that the target has too, over the same columns;
 * else none, and the table is compared as a multiset. Uniqueness on both sides is what makes matching by key sound: a
 * key unique on the source only could hide a duplicated row on the target.
 */
final class RowKeys {
    private RowKeys() {
    }

    /**
     * Both definitions keyed alike (the target's key columns in the source's key order, the order ranges are cut in).
     *
     * @throws DefinitionMismatch when the columns differ, when the target lacks the source's primary key (as a primary
     *                            key or a unique key), or when the key's types differ
     */
    static Sides<TableDefinition> alike(TableDefinition source, TableDefinition target) {
        if (!new HashSet<>(source.columnNames()).equals(new HashSet<>(target.columnNames()))) {
            throw new DefinitionMismatch("the columns differ: the source has " + source.columnNames() + ", the target "
                    + target.columnNames() + "; give both the same columns, then verify again");
        }
        for (TableDefinition.UniqueKey key : source.keys()) {
            Optional<TableDefinition.UniqueKey> onTarget = target.keys().stream().filter(key::sameColumnsAs)
                    .findFirst();
            if (onTarget.isPresent()) {
                return keyedBy(source.keyedBy(key), target.keyedBy(new TableDefinition.UniqueKey(
                        onTarget.get().index(), onTarget.get().primary(), key.columns())));
            }
            if (key.primary()) {
                // A primary key missing on the target is a schema to fix, not a reason to read the table whole.
                throw new DefinitionMismatch("the primary keys differ: the source's is " + key.columns()
                        + ", the target has no primary key or unique index over these NOT NULL columns (its keys: "
                        + target.keys().stream().map(TableDefinition.UniqueKey::columns).toList()
                        + "); give both the same primary key, then verify again");
            }
        }
        return new Sides<>(source.withoutKey(), target.withoutKey());
    }

    private static Sides<TableDefinition> keyedBy(TableDefinition source, TableDefinition target) {
        List<String> sourceTypes = source.key().stream().map(TableDefinition.Column::type).toList();
        List<String> targetTypes = target.key().stream().map(TableDefinition.Column::type).toList();
        if (!sourceTypes.equals(targetTypes)) {
            // Key ranges are cut in one database's key order and applied in the other's: the orders must agree.
            throw new DefinitionMismatch("the types of the key " + source.keyNames() + " differ: " + sourceTypes
                    + " on the source, " + targetTypes + " on the target");
        }
        return new Sides<>(source, target);
    }
}
