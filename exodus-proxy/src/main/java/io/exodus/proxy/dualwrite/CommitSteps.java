package io.exodus.proxy.dualwrite;

import io.exodus.proxy.metrics.CommitStep;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.migration.ConsistencyPolicy;

/**
 * Times the steps through which a transaction that wrote on both databases keeps its rows locked on the primary
 * ({@link CommitStep}), for one session: a hot row waits through all of them, once per transaction.
 */
final class CommitSteps {
    private final DualWriteMetrics metrics;
    /** {@link System#nanoTime()} of the primary's answer to the current transaction's last write; 0 before one. */
    private long lastWrite;
    /** The policy of the commit in progress; null between commits. */
    private ConsistencyPolicy policy;

    CommitSteps(DualWriteMetrics metrics) {
        this.metrics = metrics;
    }

    /** The primary answered a write of the current transaction without an error. */
    void primaryWrote() {
        lastWrite = System.nanoTime();
    }

    /**
     * A request begins outside any transaction: a write answered before belongs to a transaction that ended (one
     * rolled back, or committed without this protocol), not to the next one's commit.
     */
    void outsideTransaction() {
        lastWrite = 0;
    }

    /** The commit protocol of a transaction that wrote on both databases begins. */
    void began(ConsistencyPolicy commitPolicy) {
        policy = commitPolicy;
        if (lastWrite != 0) {
            metrics.commitStep(commitPolicy, CommitStep.AFTER_LAST_WRITE, lastWrite);
        }
    }

    /** A step of the commit in progress, begun at {@code startedNanos}, is over. */
    void took(CommitStep step, long startedNanos) {
        if (policy != null) {
            metrics.commitStep(policy, step, startedNanos);
        }
    }

    /** The primary answered the commit's deciding statement: its rows are no longer locked. */
    void primaryEnded() {
        if (policy != null && lastWrite != 0) {
            metrics.commitStep(policy, CommitStep.HELD, lastWrite);
        }
        lastWrite = 0;
        policy = null;
    }
}
