package io.exodus.it.regress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.exodus.it.regress.KnownDualWriteFailures.Verdict;
import io.exodus.testsupport.DatabaseDifference;
import io.exodus.testsupport.DatabaseDifference.Kind;

class KnownDualWriteFailuresTest {

    private static final KnownDualWriteFailures KNOWN = KnownDualWriteFailures.parse(String.join("\n",
            "# a comment",
            "test copy -- copy-from refused",
            "test brin -- summarize differs (unstable)",
            "table public.onek -- copy-from refused (test_setup)",
            ""));

    private static final DatabaseDifference ONEK = new DatabaseDifference(Kind.TABLE, "public.onek", "missing on target");

    @Test
    void aRunWithExactlyTheListedFailuresHolds() {
        assertTrue(KNOWN.judge(List.of("copy", "brin"), List.of(ONEK)).holds());
    }

    @Test
    void anUnstableEntryMayAlsoPass() {
        assertTrue(KNOWN.judge(List.of("copy"), List.of(ONEK)).holds());
    }

    @Test
    void anUnlistedFailureOrDifferenceIsNew() {
        DatabaseDifference other = new DatabaseDifference(Kind.SEQUENCE, "public.s", "source at 2, target at 1");
        Verdict verdict = KNOWN.judge(List.of("copy", "insert"), List.of(ONEK, other));

        assertFalse(verdict.holds());
        assertEquals(List.of("insert"), verdict.newFailures());
        assertEquals(List.of(other), verdict.newDifferences());
    }

    @Test
    void anUnlistedParkedErrorIsNewAndAListedOneThatIsGoneMustLeaveTheList() {
        KnownDualWriteFailures known = KnownDualWriteFailures.parse("parked N role \"…\" does not exist -- replayed "
                + "SET ROLE\n");
        Verdict parked = known.judge(List.of(), List.of(), List.of("N role \"…\" does not exist",
                "N cursor \"…\" does not exist"));
        assertEquals(List.of("N cursor \"…\" does not exist"), parked.newParked());
        assertFalse(parked.holds());

        assertEquals(List.of("parked N role \"…\" does not exist"), known.judge(List.of(), List.of()).gone());
    }

    @Test
    void aListedTestThatPassesAndAListedDifferenceThatIsGoneMustLeaveTheList() {
        Verdict verdict = KNOWN.judge(List.of(), List.of());

        assertFalse(verdict.holds());
        assertEquals(List.of("test copy", "table public.onek"), verdict.gone());
    }
}
