package io.exodus.proxy.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which key both databases match a table's rows by, from the keys each catalog offers. */
class RowKeysTest {
    private static final TableName NAME = new TableName("public", "t");
    private static final List<TableDefinition.Column> COLUMNS = List.of(column("a", "integer"), column("b", "text"),
            column("c", "integer"));

    @Test
    void thePrimaryKeyComesFirst() {
        Sides<TableDefinition> keyed = RowKeys.alike(table(key("t_pkey", true, "a"), key("t_b", false, "b")),
                table(key("t_pkey", true, "a")));
        assertEquals(List.of("a"), keyed.source().keyNames());
        assertEquals(List.of("a"), keyed.target().keyNames());
        assertTrue(keyed.source().rowKey().primary());
    }

    @Test
    void aUniqueKeyIsTakenInTheSourcesColumnOrderWhereverTheTargetHasItsColumns() {
        Sides<TableDefinition> keyed = RowKeys.alike(table(key("t_cb", false, "c", "b")),
                table(key("t_bc", false, "b", "c")));
        assertEquals(List.of("c", "b"), keyed.source().keyNames());
        assertEquals(List.of("c", "b"), keyed.target().keyNames(), "ranges are cut in one order on both");
        assertEquals(List.of("integer", "text"), keyed.target().key().stream().map(TableDefinition.Column::type)
                .toList());
        assertFalse(keyed.source().rowKey().primary());
    }

    @Test
    void theTargetsPrimaryKeyServesAsTheSourcesUniqueKey() {
        Sides<TableDefinition> keyed = RowKeys.alike(table(key("t_b", false, "b")), table(key("t_pkey", true, "b")));
        assertEquals(List.of("b"), keyed.target().keyNames());
    }

    @Test
    void aUniqueKeyTheTargetLacksIsSkippedAndWithoutAnyTheTableIsAMultiset() {
        Sides<TableDefinition> keyed = RowKeys.alike(table(key("t_a", false, "a"), key("t_c", false, "c")),
                table(key("t_c", false, "c")));
        assertEquals(List.of("c"), keyed.source().keyNames());
        Sides<TableDefinition> none = RowKeys.alike(table(key("t_a", false, "a")), table(key("t_b", false, "b")));
        assertFalse(none.source().hasKey());
        assertFalse(none.target().hasKey());
    }

    @Test
    void aPrimaryKeyTheTargetLacksIsAMismatch() {
        DefinitionMismatch mismatch = assertThrows(DefinitionMismatch.class,
                () -> RowKeys.alike(table(key("t_pkey", true, "a")), table()));
        assertTrue(mismatch.getMessage().contains("the primary keys differ: the source's is [a]"),
                mismatch.getMessage());
    }

    @Test
    void keyTypesMustAgree() {
        TableDefinition target = new TableDefinition(NAME, false, List.of(column("a", "bigint"), column("b", "text"),
                column("c", "integer")), List.of(key("t_a", false, "a")));
        DefinitionMismatch mismatch = assertThrows(DefinitionMismatch.class,
                () -> RowKeys.alike(table(key("t_a", false, "a")), target));
        assertTrue(mismatch.getMessage().contains("[integer] on the source, [bigint] on the target"),
                mismatch.getMessage());
    }

    private static TableDefinition table(TableDefinition.UniqueKey... keys) {
        return new TableDefinition(NAME, false, COLUMNS, List.of(keys));
    }

    private static TableDefinition.UniqueKey key(String index, boolean primary, String... columns) {
        return new TableDefinition.UniqueKey(index, primary, List.of(columns));
    }

    private static TableDefinition.Column column(String name, String type) {
        return new TableDefinition.Column(name, type, false);
    }
}
