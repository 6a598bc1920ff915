package io.exodus.proxy.dualwrite;

/**
 * The session's context and the parts that work together on each transaction, which know of one another: the queue
 * handoff, the secondary's part in the transaction, the secondary's connection and the commit. The steps of a request
 * ({@link LockstepWrite}, {@link ConcurrentWrite}, {@link CopyInWrite}, {@link ReadRouting}) get these, not the relay.
 */
record SessionParts(SessionContext context, QueueHandoff queue, SecondaryTransaction secondaryTransaction,
        SecondaryConnection secondaryConnection, TransactionCommit commits) {
}
