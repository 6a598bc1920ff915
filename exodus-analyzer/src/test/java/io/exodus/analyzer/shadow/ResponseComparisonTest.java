package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.shadow.Outcome.Failed;
import io.exodus.analyzer.shadow.Outcome.Rows;

/** The comparison rules, one answer triple (source, target, source again) at a time, without a database. */
class ResponseComparisonTest {
    private static final List<Column> WORD = List.of(new Column("id", "INT4"), new Column("word", "TEXT"));
    private static final ResponseComparison UNORDERED = new ResponseComparison(false, 1e-9);
    private static final ResponseComparison ORDERED = new ResponseComparison(true, 1e-9);

    @Test
    void identicalAnswersAreTheSame() {
        Rows rows = rows(WORD, row("1", "apple"), row("2", "Banana"));
        ResponseComparison.Result result = ORDERED.compare(List.of(new Execution("q", rows, rows, rows)));
        assertEquals(List.of(), result.differences());
        assertEquals(1, result.compared());
    }

    @Test
    void aColumnThatDiffersBetweenTheSourcesOwnRunsIsMaskedNotReported() {
        List<Column> columns = List.of(new Column("id", "INT4"), new Column("seen", "TIMESTAMPTZ"),
                new Column("draw", "FLOAT8"));
        Rows source = rows(columns, row("1", "2025-03-01T12:00:00.000001Z", 0.25));
        Rows target = rows(columns, row("1", "2025-03-01T12:00:00.000002Z", 0.75));
        Rows baseline = rows(columns, row("1", "2025-03-01T12:00:00.000003Z", 0.5));
        ResponseComparison.Result result = ORDERED.compare(List.of(new Execution("q", source, target, baseline)));
        assertEquals(List.of(), result.differences());
        assertEquals(List.of("seen", "draw"), result.masked());
    }

    @Test
    void aValueThatDiffersOnlyOnTheTargetIsAResultDifference() {
        Rows source = rows(WORD, row("1", "apple"), row("2", "Banana"));
        Rows target = rows(WORD, row("1", "apple"), row("2", "banana"));
        Difference difference = single(UNORDERED.compare(List.of(new Execution("q", source, target, source))));
        assertEquals(FindingKind.RESULT, difference.kind());
        assertTrue(difference.source().contains("'Banana'") && difference.target().contains("'banana'"),
                difference.toString());
    }

    @Test
    void floatingPointWithinTheToleranceIsEqualBeyondItIsNot() {
        List<Column> sum = List.of(new Column("total", "FLOAT8"));
        Rows source = rows(sum, row(0.1 + 0.2));
        Rows nearly = rows(sum, row(0.3));
        assertEquals(List.of(), UNORDERED.compare(List.of(new Execution("q", source, nearly, source))).differences());
        Rows off = rows(sum, row(0.3001));
        assertEquals(FindingKind.RESULT,
                single(UNORDERED.compare(List.of(new Execution("q", source, off, source)))).kind());
    }

    @Test
    void rowsOfAnUnorderedStatementCompareAsAMultiset() {
        Rows source = rows(WORD, row("1", "apple"), row("2", "Banana"), row("2", "Banana"));
        Rows shuffled = rows(WORD, row("2", "Banana"), row("1", "apple"), row("2", "Banana"));
        assertEquals(List.of(), UNORDERED.compare(List.of(new Execution("q", source, shuffled, source)))
                .differences());
        Rows otherCounts = rows(WORD, row("2", "Banana"), row("1", "apple"), row("1", "apple"));
        assertEquals(FindingKind.RESULT,
                single(UNORDERED.compare(List.of(new Execution("q", source, otherCounts, source)))).kind());
    }

    @Test
    void anOrderByOverTextInAnotherOrderIsACollationDifferenceNamingTheColumn() {
        Rows bytewise = rows(WORD, row("2", "Banana"), row("1", "apple"));
        Rows linguistic = rows(WORD, row("1", "apple"), row("2", "Banana"));
        Difference difference = single(ORDERED.compare(List.of(new Execution("q", bytewise, linguistic,
                bytewise))));
        assertEquals(FindingKind.COLLATION, difference.kind());
        assertEquals(List.of("word"), difference.collatedColumns());
        assertTrue(difference.source().startsWith("row 1 of 2 is ('2', 'Banana')"), difference.source());
    }

    @Test
    void anOrderTheSourceDoesNotKeepItselfIsNoFinding() {
        // ORDER BY random(): the source's two runs already disagree on the order.
        Rows first = rows(WORD, row("1", "apple"), row("2", "Banana"));
        Rows second = rows(WORD, row("2", "Banana"), row("1", "apple"));
        assertEquals(List.of(), ORDERED.compare(List.of(new Execution("q", first, second, second))).differences());
    }

    @Test
    void anErrorOnTheTargetOnlyIsReportedWithBothSides() {
        Rows source = rows(List.of(new Column("digits", "INT4")), row("1"));
        Failed target = new Failed("42883", "function length(integer) does not exist", 90);
        Difference difference = single(UNORDERED.compare(List.of(new Execution("q", source, target, source))));
        assertEquals(FindingKind.ERROR, difference.kind());
        assertTrue(difference.target().startsWith("ERROR 42883"), difference.target());
        assertTrue(difference.source().startsWith("1 row"), difference.source());
    }

    @Test
    void theSameErrorOnBothSidesIsTheSameAndOtherErrorsAreNot() {
        Failed readOnly = new Failed("25006", "cannot execute UPDATE in a read-only transaction", 10);
        assertEquals(List.of(), UNORDERED.compare(List.of(new Execution("q", readOnly, readOnly, readOnly)))
                .differences());
        Failed other = new Failed("42P01", "relation does not exist", 10);
        Difference difference = single(UNORDERED.compare(List.of(new Execution("q", readOnly, other, readOnly))));
        assertEquals(FindingKind.ERROR, difference.kind());
        assertTrue(difference.source().contains("25006") && difference.target().contains("42P01"));
    }

    @Test
    void anExecutionWhoseRowCountDiffersBetweenTheSourcesRunsIsNoiseNotCompared() {
        Rows one = rows(WORD, row("1", "apple"));
        Rows two = rows(WORD, row("1", "apple"), row("2", "Banana"));
        ResponseComparison.Result result = UNORDERED.compare(List.of(new Execution("q", one, two, two)));
        assertEquals(List.of(), result.differences());
        assertEquals(0, result.compared());
        assertEquals(1, result.noisy());
    }

    @Test
    void aReplayThatGotNoAnswerIsNeitherSameNorDifferent() {
        Rows one = rows(WORD, row("1", "apple"));
        Failed lost = new Failed(null, "Connection closed", 0);
        ResponseComparison.Result result = UNORDERED.compare(List.of(new Execution("q", one, lost, one)));
        assertEquals(List.of(), result.differences());
        assertEquals(0, result.compared());
    }

    @Test
    void otherColumnTypesAreAResultDifference() {
        Rows source = rows(List.of(new Column("n", "INT4")), row("1"));
        Rows target = rows(List.of(new Column("n", "INT8")), row("1"));
        Difference difference = single(UNORDERED.compare(List.of(new Execution("q", source, target, source))));
        assertEquals(FindingKind.RESULT, difference.kind());
        assertEquals("other column names or types (1 of 1 replays)", difference.evidence());
    }

    private static Difference single(ResponseComparison.Result result) {
        assertEquals(1, result.differences().size(), result.differences().toString());
        return result.differences().get(0);
    }

    private static Rows rows(List<Column> columns, List<Object>... rows) {
        return new Rows(columns, Arrays.asList(rows), rows.length, false, 100);
    }

    private static List<Object> row(Object... cells) {
        return Arrays.asList(cells);
    }
}
