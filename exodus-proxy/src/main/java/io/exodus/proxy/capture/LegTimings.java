package io.exodus.proxy.capture;

import io.exodus.proxy.metrics.CommitOutcome;
import io.exodus.proxy.metrics.CommitStep;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.metrics.SecondaryDetachment;
import io.exodus.proxy.metrics.StatementClass;
import io.exodus.proxy.migration.ConsistencyPolicy;

/**
 * Dual-write: each leg already reports every request it ran, with its start, to the {@link DualWriteMetrics}; this
 * passes those reports on unchanged and tells the session's capture how long each leg took, so that an event carries
 * the source's and the target's time for its statement.
 */
public final class LegTimings implements DualWriteMetrics {
    private final DualWriteMetrics meters;
    private final SessionCapture capture;

    private LegTimings(DualWriteMetrics meters, SessionCapture capture) {
        this.meters = meters;
        this.capture = capture;
    }

    /** The meters as they are when the session is not captured. */
    public static DualWriteMetrics around(DualWriteMetrics meters, SessionCapture capture) {
        return capture.enabled() ? new LegTimings(meters, capture) : meters;
    }

    @Override
    public boolean classifiesStatements() {
        return meters.classifiesStatements();
    }

    @Override
    public void legRequest(ConsistencyPolicy policy, StatementClass statementClass, boolean target, boolean primary,
            long startedNanos, boolean failed) {
        meters.legRequest(policy, statementClass, target, primary, startedNanos, failed);
        capture.legAnswered(target, System.nanoTime() - startedNanos);
    }

    @Override
    public void commit(ConsistencyPolicy policy, CommitOutcome outcome, long startedNanos) {
        meters.commit(policy, outcome, startedNanos);
    }

    @Override
    public void commitStep(ConsistencyPolicy policy, CommitStep step, long startedNanos) {
        meters.commitStep(policy, step, startedNanos);
    }

    @Override
    public void secondaryDetached(SecondaryDetachment reason) {
        meters.secondaryDetached(reason);
    }

    @Override
    public void targetConnectionOpened() {
        meters.targetConnectionOpened();
    }

    @Override
    public void targetConnectionClosed() {
        meters.targetConnectionClosed();
    }

    @Override
    public void canaryRead() {
        meters.canaryRead();
    }
}
