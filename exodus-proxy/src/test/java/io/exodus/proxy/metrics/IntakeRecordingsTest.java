package io.exodus.proxy.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake intake's readings tell a step the registry never published from one not published yet. */
class IntakeRecordingsTest {

    @Test
    void aSecondMissingBeforeALaterOneIsASkippedStep() {
        assertTrue(published(101, 103).skippedAStep(100, 101), "step 101 should have been published at 102");
        assertFalse(published(101, 102, 103).skippedAStep(100, 101));
    }

    @Test
    void aStepNotPublishedYetIsNotSkipped() {
        assertFalse(published(101).skippedAStep(100, 101), "the publish of step 101 may still come");
        assertFalse(published(101, 102).skippedAStep(100, 101));
        assertFalse(published().skippedAStep(100, 101));
    }

    private static IntakeRecordings published(long... seconds) {
        List<IntakeRecordings.Point> points = Arrays.stream(seconds)
                .mapToObj(second -> new IntakeRecordings.Point("exodus.phase", "gauge", null, Set.of(), second, 1))
                .toList();
        return new IntakeRecordings(points, List.of(), "");
    }
}
