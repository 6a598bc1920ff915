package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The range logic of verification, without servers: when to split, where, and what differs. */
class BisectionTest {
    private final Bisection bisection = new Bisection(1000, 16);

    @Test
    void equalChecksumsNeedNothingMore() {
        RangeChecksum sums = new RangeChecksum(50_000, "123", "456");
        assertInstanceOf(Bisection.Identical.class, bisection.next(sums, new RangeChecksum(50_000, "123", "456")));
    }

    @Test
    void sameCountOtherSumsIsADifference() {
        Bisection.Step step = bisection.next(new RangeChecksum(50_000, "123", "456"),
                new RangeChecksum(50_000, "123", "457"));
        assertEquals(new Bisection.Split(Side.SOURCE, 3125), step);
    }

    @Test
    void smallDifferingRangesAreComparedRowByRow() {
        assertInstanceOf(Bisection.CompareRows.class,
                bisection.next(new RangeChecksum(1000, "1", "1"), new RangeChecksum(999, "1", "1")));
    }

    @Test
    void aRangeTheSourceHoldsNothingOfIsCutAlongTheTargetsKeys() {
        assertEquals(new Bisection.Split(Side.TARGET, 313),
                bisection.next(RangeChecksum.EMPTY, new RangeChecksum(5000, "9", "9")));
    }

    @Test
    void everySplitLeavesFewerRowsPerPartThanTheRangeHeld() {
        Bisection coarse = new Bisection(1, 2);
        for (long rows = 2; rows < 100; rows++) {
            Bisection.Split split = (Bisection.Split) coarse.next(new RangeChecksum(rows, "1", "1"),
                    RangeChecksum.EMPTY);
            assertTrue(split.rowsPerPart() >= 1 && split.rowsPerPart() < rows, rows + " rows: " + split);
        }
    }

    @Test
    void settingsThatCannotBisectAreRefusedWithTheirKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bisection(1000, 1)).getMessage()
                .contains("exodus.verify.bisection-factor"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bisection(0, 16)).getMessage()
                .contains("exodus.verify.bisection-threshold"));
    }

    @Test
    void boundariesCutARangeIntoPartsThatCoverItExactly() {
        KeyRange range = new KeyRange(List.of("10"), List.of("90"));
        List<KeyRange> parts = range.split(List.of(List.of("30"), List.of("60")));
        assertEquals(List.of(new KeyRange(List.of("10"), List.of("30")), new KeyRange(List.of("30"), List.of("60")),
                new KeyRange(List.of("60"), List.of("90"))), parts);
        assertEquals(List.of(KeyRange.ALL), KeyRange.ALL.split(List.of()));
        List<KeyRange> open = KeyRange.ALL.split(List.of(List.of("a", "1")));
        assertEquals(new KeyRange(null, List.of("a", "1")), open.get(0));
        assertEquals(new KeyRange(List.of("a", "1"), null), open.get(1));
    }

    @Test
    void rowsAreMatchedByKeyIntoMissingExtraAndDifferent() {
        List<HashedRow> source = List.of(new HashedRow(List.of("1"), "aa", null),
                new HashedRow(List.of("2"), "bb", null), new HashedRow(List.of("3"), "cc", null));
        List<HashedRow> target = List.of(new HashedRow(List.of("3"), "cc", null),
                new HashedRow(List.of("2"), "b2", null), new HashedRow(List.of("4"), "dd", null));
        List<RowDifference> differences = RowComparison.differences(List.of("id"), source, target);
        assertEquals(List.of(
                RowDifference.keyed(RowDifference.Kind.MISSING, Map.of("id", "1"), null, null),
                RowDifference.keyed(RowDifference.Kind.DIFFERENT, Map.of("id", "2"), null, null),
                RowDifference.keyed(RowDifference.Kind.EXTRA, Map.of("id", "4"), null, null)), differences);
    }

    @Test
    void rowsWithoutAKeyCompareAsMultisets() {
        List<RowDifference> differences = MultisetComparison.differences(
                List.of(new CountedRow("aa", 2, null), new CountedRow("bb", 1, null)),
                List.of(new CountedRow("bb", 1, null), new CountedRow("aa", 1, null), new CountedRow("cc", 3, null)));
        assertEquals(2, differences.size(), differences.toString());
        RowDifference duplicate = differences.get(0);
        assertEquals(RowDifference.Kind.MISSING, duplicate.kind());
        assertEquals("aa", duplicate.rowMd5());
        assertEquals(1, duplicate.rows());
        RowDifference extra = differences.get(1);
        assertEquals(RowDifference.Kind.EXTRA, extra.kind());
        assertEquals(3, extra.rows());
    }

    @Test
    void bucketsGrowWithTheTableUpToFourHexDigits() {
        assertEquals(2, BucketDigits.forRows(0, 1000));
        assertEquals(2, BucketDigits.forRows(100_000, 1000));
        assertEquals(3, BucketDigits.forRows(1_000_000, 1000));
        assertEquals(4, BucketDigits.forRows(1_000_000_000, 1000));
    }
}
