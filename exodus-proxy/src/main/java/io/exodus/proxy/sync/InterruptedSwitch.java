package io.exodus.proxy.sync;

import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.traffic.PhaseChange;
import io.exodus.proxy.traffic.TrafficSwitch;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What is left of a sync a crash interrupted in its switch to dual-write, decided from two durable facts: the switch
 * mark in the target's journal (written once the target had every transaction committed before the switch's position,
 * before any session turned to dual-write) and the phase changes the fleet's record holds since that mark. The
 * sessions turn to dual-write only after the sync's phase change commits, so that record says whether they did
 * (ADR 0035).
 */
final class InterruptedSwitch {
    private static final String START_OVER = "start a new sync: with the phase direct, drop the slot on the source "
            + "(SELECT pg_drop_replication_slot('" + SyncNames.SLOT + "')) and POST /exodus/migration/sync again; "
            + "every table is copied again";

    /** What to do. */
    enum Outcome {
        /** No session turned to dual-write: the slot's changes since the journal's position are all missing. */
        RESUME,
        /** The phase change committed: every change after the mark was dual-written; only the slot is left to drop. */
        COMPLETED,
        /** Neither is safe, or this process cannot tell which holds. */
        REFUSED
    }

    record Decision(Outcome outcome, String explanation) {
    }

    private InterruptedSwitch() {
    }

    /**
     * @param since the phase changes committed after the mark; ignored when the mark has none (phases not durable)
     */
    static Decision decide(SyncJournal.SwitchMark mark, List<PhaseChange> since) {
        if (mark.phaseMark() == null) {
            return new Decision(Outcome.REFUSED, "the sync was interrupted in its switch to dual-write (at "
                    + mark.at() + ") with the control plane off (exodus.control.enabled=false): the phase lived in "
                    + "the dead proxy's memory, so nothing tells whether sessions wrote in dual-write before the "
                    + "crash, and the slot's changes since cannot be applied without doubling or missing some; "
                    + START_OVER);
        }
        if (since.isEmpty()) {
            return new Decision(Outcome.RESUME, "the sync was interrupted in its switch to dual-write before the "
                    + "phase changed (no session wrote in dual-write): the changes since are applied from the slot");
        }
        PhaseChange first = since.get(0);
        if (since.size() == 1 && TrafficSwitch.INITIAL_SYNC.equals(first.who())
                && MigrationPhase.DUAL_WRITE.configName().equals(first.to())) {
            return new Decision(Outcome.COMPLETED, "the sync was interrupted after its switch to dual-write had "
                    + "committed: dual-write took over at " + mark.at() + ", the target had every transaction "
                    + "committed before it; nothing of the slot is applied again, the slot and its publications are "
                    + "dropped");
        }
        return new Decision(Outcome.REFUSED, "the sync was interrupted in its switch to dual-write (at " + mark.at()
                + ") and the phase changed since: " + since.stream().map(change -> change.from() + " → "
                        + change.to() + " by " + change.who()).collect(Collectors.joining(", "))
                + "; the target may lack writes made in phase direct since, and the slot holds writes dual-write "
                + "made: " + START_OVER);
    }
}
