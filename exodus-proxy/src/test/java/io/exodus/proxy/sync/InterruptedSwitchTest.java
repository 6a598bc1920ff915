package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.PhaseChange;
import io.exodus.proxy.traffic.TrafficSwitch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a sync interrupted in its switch to dual-write does, by the journal's mark and the phase record since. */
class InterruptedSwitchTest {
    private static final Lsn AT = Lsn.parse("0/3000060");
    private static final PhaseChange SYNCS_SWITCH = new PhaseChange(TrafficSwitch.INITIAL_SYNC, "direct", "dual-write");

    @Test
    void noPhaseChangeSinceTheMarkResumesTheSlotsChanges() {
        assertEquals(InterruptedSwitch.Outcome.RESUME,
                InterruptedSwitch.decide(new SyncJournal.SwitchMark(AT, 7L), List.of()).outcome());
    }

    @Test
    void theSyncsOwnPhaseChangeCommittedEndsTheSyncWithoutApplyingAgain() {
        InterruptedSwitch.Decision decision = InterruptedSwitch.decide(new SyncJournal.SwitchMark(AT, 7L),
                List.of(SYNCS_SWITCH));
        assertEquals(InterruptedSwitch.Outcome.COMPLETED, decision.outcome());
        assertTrue(decision.explanation().contains(AT.toString()), decision.explanation());
    }

    @Test
    void aPhaseChangedAgainAfterTheSwitchIsRefusedWithTheWayForward() {
        InterruptedSwitch.Decision decision = InterruptedSwitch.decide(new SyncJournal.SwitchMark(AT, 7L),
                List.of(SYNCS_SWITCH, new PhaseChange("admin", "dual-write", "direct")));
        assertEquals(InterruptedSwitch.Outcome.REFUSED, decision.outcome());
        assertTrue(decision.explanation().contains("dual-write → direct by admin"), decision.explanation());
        assertTrue(decision.explanation().contains("pg_drop_replication_slot('exodus_sync')"), decision.explanation());
    }

    @Test
    void aPhaseChangeSomeoneElseMadeIsNotTheSyncsSwitch() {
        assertEquals(InterruptedSwitch.Outcome.REFUSED, InterruptedSwitch.decide(new SyncJournal.SwitchMark(AT, 7L),
                List.of(new PhaseChange("admin", "direct", "dual-write"))).outcome());
    }

    @Test
    void aMarkWithoutADurablePhaseIsRefusedSinceNothingTellsWhatTheSessionsDid() {
        InterruptedSwitch.Decision decision = InterruptedSwitch.decide(new SyncJournal.SwitchMark(AT, null),
                List.of());
        assertEquals(InterruptedSwitch.Outcome.REFUSED, decision.outcome());
        assertTrue(decision.explanation().contains("exodus.control.enabled=false"), decision.explanation());
    }
}
