package io.exodus.proxy.sql;

/**
 * What a statement does, as far as dual-write routing cares. The primary is the leg whose answers the client sees
 * (the source before cutover, the target after); the secondary is the other one.
 * <p>
 * When one text holds several statements, its kind is the most write-like of theirs ({@link #mostWriteLike}):
 * UNKNOWN &gt; DDL &gt; COPY_IN &gt; WRITE &gt; SESSION &gt; TRANSACTION &gt; COPY_OUT &gt; READ.
 */
public enum StatementKind {

    /** Reads only: runs on the primary alone. */
    READ(0, false),
    /** Changes rows (or takes row locks, or calls a volatile function): runs on both legs. */
    WRITE(4, true),
    /** Changes the schema, privileges or physical storage: runs on both legs. */
    DDL(6, true),
    /** Transaction control: runs on both legs, so that both transactions open and end together. */
    TRANSACTION(2, true),
    /** Changes session state (SET, RESET, DISCARD, LISTEN, PREPARE …): runs on both legs, which keep mirrored state. */
    SESSION(3, true),
    /** {@code COPY … FROM}: the rows the client sends go to both legs. */
    COPY_IN(5, true),
    /** {@code COPY … TO}: reads only, on the primary alone. */
    COPY_OUT(1, false),
    /** Not recognised, or depends on something only the caller knows (EXECUTE of a name): counts as a write. */
    UNKNOWN(7, true);

    private final int writeRank;
    private final boolean bothLegs;

    StatementKind(int writeRank, boolean bothLegs) {
        this.writeRank = writeRank;
        this.bothLegs = bothLegs;
    }

    /** Whether dual-write sends the statement to the secondary too. */
    public boolean runsOnBothLegs() {
        return bothLegs;
    }

    /** The more write-like of two kinds (the one routing must honour when a text holds both). */
    public static StatementKind mostWriteLike(StatementKind a, StatementKind b) {
        return b.writeRank > a.writeRank ? b : a;
    }
}
