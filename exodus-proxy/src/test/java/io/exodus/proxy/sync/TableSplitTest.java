package io.exodus.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TableSplitTest {
    private static final long BLOCK = 8192;
    private static final long MB = 1 << 20;
    private static final SyncedTable TABLE = new SyncedTable("public", "big", false, false, true, 0,
            List.of("id", "pad"), Set.of());

    @Test
    void aTableBelowTheThresholdIsCopiedWhole() {
        List<TablePart> parts = TableSplit.parts(TABLE, 64 * MB / BLOCK - 1, BLOCK, 64 * MB, 2);
        assertEquals(List.of(TablePart.whole(TABLE)), parts);
        assertEquals("", parts.get(0).ctidCondition());
    }

    /** pgbench_accounts at scale 10 (about 131 MB): three parts of 64 MB would leave one copier idle for the third. */
    @Test
    void partsAreAtMostTheThresholdAndAMultipleOfTheCopiers() {
        long pages = 16_394;
        List<TablePart> parts = TableSplit.parts(TABLE, pages, BLOCK, 64 * MB, 2);
        assertEquals(4, parts.size());
        assertTrue(parts.stream().allMatch(part -> (part.toPage() - part.fromPage()) * BLOCK <= 64 * MB));
        assertEquals(4, TableSplit.parts(TABLE, pages, BLOCK, 64 * MB, 4).size());
        assertEquals(3, TableSplit.parts(TABLE, pages, BLOCK, 64 * MB, 3).size());
        assertEquals(6, TableSplit.parts(TABLE, 6 * 64 * MB / BLOCK, BLOCK, 64 * MB, 3).size());
        assertEquals(9, TableSplit.parts(TABLE, 6 * 64 * MB / BLOCK + 1, BLOCK, 64 * MB, 3).size());
    }

    @Test
    void partsFollowEachOtherOverEveryPageInEqualRanges() {
        long pages = 1_001;
        List<TablePart> parts = TableSplit.parts(TABLE, pages, BLOCK, 100 * BLOCK, 2);
        assertEquals(12, parts.size());
        assertEquals(0, parts.get(0).fromPage());
        assertEquals(pages, parts.get(parts.size() - 1).toPage());
        for (int i = 0; i < parts.size(); i++) {
            TablePart part = parts.get(i);
            assertEquals(i, part.index());
            assertEquals(12, part.count());
            long size = part.toPage() - part.fromPage();
            assertTrue(size == 83 || size == 84, part::toString);
            if (i > 0) {
                assertEquals(parts.get(i - 1).toPage(), part.fromPage());
            }
        }
    }

    /** The first part reaches below its first page and the last past its last: tuples anywhere are in one part. */
    @Test
    void theOuterPartsAreOpenEndedSoThatEveryTupleIsInExactlyOne() {
        List<TablePart> parts = TableSplit.parts(TABLE, 300, BLOCK, 100 * BLOCK, 2);
        assertEquals(List.of("ctid < '(75,0)'::pg_catalog.tid",
                "ctid >= '(75,0)'::pg_catalog.tid AND ctid < '(150,0)'::pg_catalog.tid",
                "ctid >= '(150,0)'::pg_catalog.tid AND ctid < '(225,0)'::pg_catalog.tid",
                "ctid >= '(225,0)'::pg_catalog.tid"), parts.stream().map(TablePart::ctidCondition).toList());
    }

    @Test
    void aPartIsAtLeastOnePage() {
        List<TablePart> parts = TableSplit.parts(TABLE, 3, BLOCK, BLOCK, 2);
        assertEquals(3, parts.size());
        assertTrue(parts.stream().allMatch(part -> part.toPage() - part.fromPage() == 1));
    }

    @Test
    void oneCopierOrNoColumnsCopiesWhole() {
        assertEquals(List.of(TablePart.whole(TABLE)), TableSplit.parts(TABLE, 100_000, BLOCK, MB, 1));
        SyncedTable noColumns = new SyncedTable("public", "empty", false, false, false, 0, List.of(), Set.of());
        assertEquals(List.of(TablePart.whole(noColumns)), TableSplit.parts(noColumns, 100_000, BLOCK, MB, 2));
    }

    @Test
    void aThresholdBelowOnePageIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new SyncSettings(2, 100, TablesWithoutKey.REFUSE, LargeObjects.REFUSE,
                        UnloggedTables.REFUSE, Duration.ofSeconds(5), 3, 10_000, Duration.ZERO, Optional.empty(),
                        Optional.empty()));
        assertTrue(refused.getMessage().contains("exodus.sync.split-min-bytes"), refused.getMessage());
    }
}
