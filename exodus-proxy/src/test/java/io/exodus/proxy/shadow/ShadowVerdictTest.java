package io.exodus.proxy.shadow;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The comparison of two answers, digested as they passed: counts, rows in any order, order where it counts. */
class ShadowVerdictTest {

    @Test
    void theSameRowsInAnotherOrderAgreeUnlessTheStatementOrders() {
        ResultDigest primary = answer("1|a", "2|b", "3|c");
        ResultDigest secondary = answer("3|c", "1|a", "2|b");
        assertNull(ShadowVerdict.compare(primary, secondary, List.of(false)));
        assertEquals(MismatchKind.ORDER, ShadowVerdict.compare(primary, secondary, List.of(true)));
        assertNull(ShadowVerdict.compare(primary, answer("1|a", "2|b", "3|c"), List.of(true)));
    }

    @Test
    void aChangedValueOrAMissingRowIsFound() {
        ResultDigest primary = answer("1|a", "2|b");
        assertEquals(MismatchKind.ROWS, ShadowVerdict.compare(primary, answer("1|a", "2|B"), List.of(false)));
        assertEquals(MismatchKind.ROW_COUNT, ShadowVerdict.compare(primary, answer("1|a"), List.of(false)));
        // Two rows swapped between result sets: the totals agree, the result sets do not.
        ResultDigest split = new ResultDigest();
        row(split, "1|a");
        split.endResult();
        row(split, "2|b");
        split.endResult();
        ResultDigest other = new ResultDigest();
        row(other, "2|b");
        other.endResult();
        row(other, "1|a");
        other.endResult();
        assertEquals(MismatchKind.ROWS, ShadowVerdict.compare(split, other, List.of(false, false)));
    }

    @Test
    void theFirstRowsOfAnUnorderedResultNeedOnlyBeAsMany() {
        ResultDigest primary = suspended("1|a", "2|b");
        ResultDigest secondary = suspended("7|x", "8|y");
        assertNull(ShadowVerdict.compare(primary, secondary, List.of(false)));
        assertEquals(MismatchKind.ROWS, ShadowVerdict.compare(primary, secondary, List.of(true)));
        assertEquals(MismatchKind.ROW_COUNT, ShadowVerdict.compare(primary, suspended("1|a"), List.of(false)));
    }

    @Test
    void failuresAgreeOnlyWithTheSameSqlState() {
        ResultDigest missing = new ResultDigest();
        missing.error("42P01");
        assertEquals(MismatchKind.ERROR, ShadowVerdict.compare(answer("1|a"), missing, List.of(false)));
        ResultDigest alsoMissing = new ResultDigest();
        alsoMissing.error("42P01");
        assertNull(ShadowVerdict.compare(missing, alsoMissing, List.of(false)));
        ResultDigest timedOut = new ResultDigest();
        timedOut.error("57014");
        assertEquals(MismatchKind.ERROR, ShadowVerdict.compare(missing, timedOut, List.of(false)));
    }

    @Test
    void rowsOfAnyLengthHashByEveryByte() {
        String longer = "x".repeat(37);
        assertEquals(ResultDigest.hash(Buffer.buffer(longer), 0, 37), ResultDigest.hash(Buffer.buffer(longer), 0, 37));
        for (int at = 0; at < 37; at++) {
            StringBuilder changed = new StringBuilder(longer);
            changed.setCharAt(at, 'y');
            assertEquals(false, ResultDigest.hash(Buffer.buffer(longer), 0, 37)
                    == ResultDigest.hash(Buffer.buffer(changed.toString()), 0, 37), "byte " + at);
        }
    }

    private static ResultDigest answer(String... rows) {
        ResultDigest digest = new ResultDigest();
        for (String row : rows) {
            row(digest, row);
        }
        digest.endResult();
        return digest;
    }

    private static ResultDigest suspended(String... rows) {
        ResultDigest digest = new ResultDigest();
        for (String row : rows) {
            row(digest, row);
        }
        digest.endResult(true);
        return digest;
    }

    private static void row(ResultDigest digest, String row) {
        Buffer body = Buffer.buffer(row);
        digest.row(body, 0, body.length());
    }
}
