package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;

/**
 * A dual-write session's two connections by role: the primary, whose answers the client gets, and the secondary, to
 * which the writes are mirrored. Which database plays which role is a value ({@link #primarySide}): the source is the
 * primary before the cutover and the target after it, through the same code. The primary stays for the relay's life;
 * the secondary comes and goes (lost, pinned after a failure, set aside for the catch-up queue, reconnected), which
 * {@link SecondaryConnection} decides. The context the steps of a request share instead of asking the relay for its
 * legs. One session's, on its event loop.
 */
final class Legs {
    private final Leg primary;
    private final Side primarySide;
    private final String database;
    private Leg secondary;

    /**
     * @param database the database the session logged in to, of the same name on both sides
     */
    Legs(Leg primary, Side primarySide, String database) {
        this.primary = primary;
        this.primarySide = primarySide;
        this.database = database;
    }

    Leg primary() {
        return primary;
    }

    /** The secondary's connection; null while the session has none. */
    Leg secondary() {
        return secondary;
    }

    /** Whether the session has a secondary connection that is open. */
    boolean secondaryUsable() {
        return secondary != null && secondary.isOpen();
    }

    /** Which database is the primary: the source until the cutover, the target after it. */
    Side primarySide() {
        return primarySide;
    }

    /** The secondary as users read it in messages: "target" before the cutover, "source" after it. */
    String secondaryName() {
        return primarySide.other().configName();
    }

    boolean secondaryIsTarget() {
        return primarySide == Side.SOURCE;
    }

    /** The session's database name (the same on both sides). */
    String database() {
        return database;
    }

    /** Completes when the secondary has answered everything sent to it so far (at once without one). */
    Future<Void> secondaryDrained() {
        return secondary == null ? Future.succeededFuture() : secondary.drained();
    }

    void attachSecondary(Leg leg) {
        secondary = leg;
    }

    /** The session stops using its secondary; returns the leg it had, or null. */
    Leg removeSecondary() {
        Leg leg = secondary;
        secondary = null;
        return leg;
    }
}
