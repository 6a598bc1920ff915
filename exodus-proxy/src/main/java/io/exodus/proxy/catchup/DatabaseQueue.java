package io.exodus.proxy.catchup;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this proxy knows about the replay queue of one database. Sessions ask {@link #mustQueue()} before each write
 * to the secondary: while anything is queued or about to be, a write applied live could overtake a queued one of
 * the same rows, so every transaction of the database goes to the queue until it has drained.
 */
final class DatabaseQueue {
    final String database;
    /** This proxy's transactions that will be queued when they end (decided, not yet committed). */
    final AtomicInteger queueing = new AtomicInteger();
    /** When this proxy last committed an entry; a poll that started before it has not seen that entry. */
    volatile long lastEnqueueNanos = Long.MIN_VALUE;
    /** When the last completed poll started; {@link Long#MIN_VALUE} before the first one completed. */
    volatile long polledAtNanos = Long.MIN_VALUE;
    volatile long depth;
    volatile long parked;
    volatile double oldestAgeSeconds;
    volatile boolean tableReady;
    /** The secondary has the commit-marker table (created when the secondary is reachable). */
    volatile boolean markersReady;
    /** The marker tables being made or checked, the last time they were not ready. */
    volatile Future<Void> markersCreation;
    /** The primary answers {@code txid_status}: markers carry the primary's transaction id. */
    volatile boolean outcomesReadable;
    /** This proxy wrote a marker naming the primary's transaction since the last read, or that read left some. */
    volatile boolean outcomesPending;
    /** Writes waiting for the queue to drain before they go to the secondary live ({@code CatchUpQueue#drained}). */
    final Queue<Promise<Boolean>> drainWaiters = new ConcurrentLinkedQueue<>();
    /** When a wait for the queue to drain last ran out: writes do not wait again for a while after that. */
    volatile long drainMissedNanos = Long.MIN_VALUE;

    DatabaseQueue(String database) {
        this.database = database;
    }

    /** The queue was seen drained: the writes waiting for it go live. */
    void releaseDrainWaiters() {
        Promise<Boolean> waiter;
        while ((waiter = drainWaiters.poll()) != null) {
            waiter.tryComplete(true);
        }
    }

    boolean mustQueue() {
        // Before the first poll nobody knows what a previous run left queued.
        return queueing.get() > 0 || depth > 0 || polledAtNanos == Long.MIN_VALUE || lastEnqueueNanos >= polledAtNanos;
    }
}
