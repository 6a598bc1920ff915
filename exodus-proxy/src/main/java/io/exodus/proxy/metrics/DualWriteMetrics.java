package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.ConsistencyPolicy;

/**
 * What the dual-write engine reports besides the {@link RelayMetrics} of each session: the requests of each leg, the
 * commits of transactions that wrote on both databases, and sessions that lose their secondary. One instance for the
 * whole proxy, called from every event loop. The policy is an argument because it changes at run time and a
 * transaction keeps the one it started with; the meters of a policy are registered the first time it is used and
 * then found by array index, with no lookup by name or tags. With {@code exodus.metrics.enabled=false} this is
 * {@link #DISABLED}, whose calls do nothing.
 */
public interface DualWriteMetrics {

    /**
     * Whether {@link #legRequest} wants the statement class of each leg request, which the leg then reads from the
     * bytes it writes ({@link RequestClassifier#readRequests}). False for {@link #DISABLED}: with metrics off nothing
     * is classified.
     */
    boolean classifiesStatements();

    /**
     * One request on one leg has been answered or given up: the {@code exodus.leg.requests} timer, tagged {@code
     * endpoint} (source, target), {@code role} (primary, secondary), {@code outcome} (ok, error), {@code
     * statement_class}, {@code phase} and {@code policy}. Call it once per request the leg actually wrote: when its
     * last ReadyForQuery arrives ({@code failed} if the answer carried an ErrorResponse), or when the leg is lost,
     * times out or is closed with the request still pending ({@code failed = true}). A request refused because the
     * leg was already gone never ran and is not reported.
     *
     * @param policy         the policy of the session's current transaction (the one the commit will follow)
     * @param statementClass what the request ran on the leg, as {@link RequestClassifier} tells it from the bytes
     *                       written (Exodus's own BEGIN, COMMIT or ROLLBACK are {@code transaction})
     * @param target         whether the leg is connected to the target (false: the source)
     * @param primary        whether the leg is the primary, whose answers the client sees (false: the secondary)
     * @param startedNanos   {@link System#nanoTime()} when the request was written to the leg
     * @param failed         whether the leg answered with an error or did not answer
     */
    void legRequest(ConsistencyPolicy policy, StatementClass statementClass, boolean target, boolean primary,
            long startedNanos, boolean failed);

    /**
     * The commit protocol of a transaction that wrote on both databases has decided what the client hears: the
     * {@code exodus.commits} timer, tagged {@code policy}, {@code outcome} and {@code phase}. Call it once per such
     * transaction, at the moment the client's outcome is decided (the secondary's part that follows, such as the
     * second COMMIT or its COMMIT PREPARED, is not timed; its failure is a divergence). Transactions that wrote on
     * one database only, or only read, are ended by that database alone and are not reported.
     *
     * @param policy       the policy the transaction followed
     * @param outcome      what the client was told, see {@link CommitOutcome}
     * @param startedNanos {@link System#nanoTime()} when the commit protocol started (the client's COMMIT, or the
     *                     end of an autocommit write that Exodus wrapped in a transaction)
     */
    void commit(ConsistencyPolicy policy, CommitOutcome outcome, long startedNanos);

    /**
     * One step of the time a transaction that wrote on both databases holds its rows locked on the primary: the
     * {@code exodus.commit.steps} timer, tagged {@code policy} and {@code step} ({@link CommitStep}), without a
     * histogram. Call it once per step a commit went through; {@link CommitStep#HELD} once per commit the primary
     * answered.
     *
     * @param startedNanos {@link System#nanoTime()} when the step began
     */
    void commitStep(ConsistencyPolicy policy, CommitStep step, long startedNanos);

    /**
     * A session stopped using its secondary (the {@code exodus.secondary.detached} counter by {@code reason}). Call
     * it once per detachment: when the secondary leg is lost or times out, and when policy both-required pins the
     * session to the primary while it still had a secondary. Closing the legs because the session ends is not a
     * detachment.
     */
    void secondaryDetached(SecondaryDetachment reason);

    /**
     * A connection to the target was opened for a session (at the session's start, or when it reconnects its
     * secondary): one more {@code exodus.backend.connections.active{endpoint=target}} until
     * {@link #targetConnectionClosed()}. The source's connections are counted by {@link ProxyMetrics#openRelay()}.
     */
    void targetConnectionOpened();

    /** A connection to the target closed, whoever closed it; exactly once per {@link #targetConnectionOpened()}. */
    void targetConnectionClosed();

    /** Phase canary: a read went to the target ({@code exodus.canary.reads}). */
    void canaryRead();

    DualWriteMetrics DISABLED = new DualWriteMetrics() {
        @Override
        public boolean classifiesStatements() {
            return false;
        }

        @Override
        public void legRequest(ConsistencyPolicy policy, StatementClass statementClass, boolean target,
                boolean primary, long startedNanos, boolean failed) {
        }

        @Override
        public void commit(ConsistencyPolicy policy, CommitOutcome outcome, long startedNanos) {
        }

        @Override
        public void commitStep(ConsistencyPolicy policy, CommitStep step, long startedNanos) {
        }

        @Override
        public void secondaryDetached(SecondaryDetachment reason) {
        }

        @Override
        public void targetConnectionOpened() {
        }

        @Override
        public void targetConnectionClosed() {
        }

        @Override
        public void canaryRead() {
        }
    };
}
