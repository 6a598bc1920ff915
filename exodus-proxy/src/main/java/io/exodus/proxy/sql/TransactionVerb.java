package io.exodus.proxy.sql;

/**
 * Which transaction-control statement a {@link StatementKind#TRANSACTION} is. Synonyms share a verb: what matters
 * for routing is the effect, and PostgreSQL treats them alike.
 */
public enum TransactionVerb {
    /** Not a transaction-control statement. */
    NONE,
    /** {@code BEGIN [WORK|TRANSACTION]}, {@code START TRANSACTION}. */
    BEGIN,
    /** {@code COMMIT}, {@code END} (also with {@code AND NO CHAIN}). */
    COMMIT,
    /** {@code COMMIT AND CHAIN}: a new transaction with the same characteristics starts at once. */
    COMMIT_AND_CHAIN,
    /** {@code ROLLBACK}, {@code ABORT} (also with {@code AND NO CHAIN}). */
    ROLLBACK,
    /** {@code ROLLBACK AND CHAIN}: a new transaction with the same characteristics starts at once. */
    ROLLBACK_AND_CHAIN,
    /** {@code SAVEPOINT name}. */
    SAVEPOINT,
    /** {@code RELEASE [SAVEPOINT] name}. */
    RELEASE_SAVEPOINT,
    /** {@code ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name}. */
    ROLLBACK_TO_SAVEPOINT,
    /** {@code PREPARE TRANSACTION 'gid'}: the client runs its own two-phase commit. */
    PREPARE_TRANSACTION,
    /** {@code COMMIT PREPARED 'gid'}. */
    COMMIT_PREPARED,
    /** {@code ROLLBACK PREPARED 'gid'}. */
    ROLLBACK_PREPARED,
    /** {@code SET [LOCAL|SESSION] TRANSACTION …}: modes of the current transaction. */
    SET_TRANSACTION,
    /** {@code SET SESSION CHARACTERISTICS AS TRANSACTION …}: default modes of the session's later transactions. */
    SET_SESSION_CHARACTERISTICS
}
