package io.exodus.proxy.migration;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a failure on one database means for the client's transaction (docs/dual-write.md, "Consistency policies"). Statements always run on
 * the primary first and then on the secondary, while the primary still holds its row locks; the policy decides the
 * commit order and who may fail without failing the client.
 */
public enum ConsistencyPolicy {
    /** PREPARE TRANSACTION on both, a durable decision in the primary, then COMMIT PREPARED on both: all or nothing. */
    TWO_PHASE_COMMIT("two-phase-commit"),
    /** Primary commits, then the secondary; a secondary failure pins the session to the primary (replay follows). */
    BOTH_REQUIRED("both-required"),
    /** The source is the truth whatever the phase: its failure fails the client; the target's is replayed. */
    OLD_AUTHORITATIVE("old-authoritative"),
    /** The target is the truth: its failure fails the client and it commits first; the source's is replayed. */
    NEW_AUTHORITATIVE("new-authoritative"),
    /** The primary alone decides; a secondary failure is counted, logged and left to divergence detection. */
    BEST_EFFORT("best-effort");

    private final String configName;

    ConsistencyPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static ConsistencyPolicy fromConfig(String value) {
        for (ConsistencyPolicy policy : values()) {
            if (policy.configName.equalsIgnoreCase(value.trim())) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown exodus.migration.policy \"" + value + "\"; choose one of "
                + Arrays.stream(values()).map(ConsistencyPolicy::configName).collect(Collectors.joining(", ")));
    }

    /**
     * Whether the secondary's failure fails the client's transaction. {@code secondaryIsTarget} says which database
     * the secondary is: before cutover the target, after it the source.
     */
    public boolean secondaryFailureFailsClient(boolean secondaryIsTarget) {
        return switch (this) {
            case TWO_PHASE_COMMIT -> true;
            case NEW_AUTHORITATIVE -> secondaryIsTarget;
            case OLD_AUTHORITATIVE -> !secondaryIsTarget;
            case BOTH_REQUIRED, BEST_EFFORT -> false;
        };
    }

    /** Whether the secondary commits before the primary: when it is the authoritative one. */
    public boolean secondaryCommitsFirst(boolean secondaryIsTarget) {
        return secondaryFailureFailsClient(secondaryIsTarget) && this != TWO_PHASE_COMMIT;
    }

    /**
     * Whether a transaction the secondary missed is queued for replay (the client keeps the primary's answer): under
     * every policy whose client does not fail with the secondary.
     */
    public boolean replaysSecondaryFailures(boolean secondaryIsTarget) {
        return !secondaryFailureFailsClient(secondaryIsTarget);
    }

    /**
     * Whether a secondary failure that cannot be queued (no queue table, the queue full) stops the session from using
     * the secondary for the rest of its life.
     */
    public boolean pinsSessionAfterSecondaryFailure() {
        return this == BOTH_REQUIRED;
    }

    public boolean usesTwoPhaseCommit() {
        return this == TWO_PHASE_COMMIT;
    }
}
