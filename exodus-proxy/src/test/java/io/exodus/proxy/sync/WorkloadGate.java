package io.exodus.proxy.sync;

import io.exodus.proxy.traffic.TrafficSwitch;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.migration.MigrationDatabases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The {@link TrafficSwitch} of a test workload, honest about what the sync relies on: a paused gate lets no new
 * transaction of the workload start, and the pause completes only once every transaction in flight has ended; a
 * transaction that starts after {@link #enterDualWrite(String)} writes to both databases.
 */
final class WorkloadGate implements TrafficSwitch {
    private final Vertx vertx;
    private final Object lock = new Object();
    private int inFlight;
    private boolean paused;
    private boolean dualWrite;
    private MigrationDatabases movedOnly = MigrationDatabases.ALL;
    private int pauses;
    /** Run once, at the first pause, before it waits for the transactions in flight. */
    private volatile Runnable atFirstPause = () -> { };

    WorkloadGate(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Before a transaction: waits while paused; whether the transaction must write both databases. */
    boolean enter() throws InterruptedException {
        synchronized (lock) {
            while (paused) {
                lock.wait();
            }
            inFlight++;
            return dualWrite;
        }
    }

    /** After the transaction's COMMIT or ROLLBACK. */
    void exit() {
        synchronized (lock) {
            inFlight--;
            lock.notifyAll();
        }
    }

    @Override
    public Future<Void> pauseNewTransactions(Duration maxWait, LongTransactions atTimeout) {
        boolean first;
        synchronized (lock) {
            paused = true;
            pauses++;
            first = pauses == 1;
        }
        return vertx.executeBlocking(() -> {
            if (first) {
                atFirstPause.run();
            }
            long deadline = System.nanoTime() + maxWait.toNanos();
            synchronized (lock) {
                while (inFlight > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException(inFlight + " transactions still in flight");
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
            return null;
        }, false);
    }

    @Override
    public Future<Void> enter(io.exodus.proxy.migration.MigrationPhase phase, String actor, String reason) {
        return phase == io.exodus.proxy.migration.MigrationPhase.DUAL_WRITE ? dualWriteNow()
                : Future.failedFuture(new IllegalStateException("the gate knows dual-write only"));
    }

    /** The workload runs on the one database the sync copies. */
    @Override
    public Future<Void> moveOnly(MigrationDatabases databases, String actor, String reason) {
        synchronized (lock) {
            if (!paused || inFlight > 0) {
                return Future.failedFuture(new IllegalStateException("the databases changed outside a pause"));
            }
            movedOnly = databases;
        }
        return Future.succeededFuture();
    }

    private Future<Void> dualWriteNow() {
        synchronized (lock) {
            if (!paused || inFlight > 0) {
                return Future.failedFuture(new IllegalStateException("dual-write entered outside a pause"));
            }
            dualWrite = true;
        }
        return Future.succeededFuture();
    }

    @Override
    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    /** What happens at the first pause: a client that bypasses Exodus acting just before the switch. */
    WorkloadGate atFirstPause(Runnable action) {
        atFirstPause = action;
        return this;
    }

    boolean paused() {
        synchronized (lock) {
            return paused;
        }
    }

    /** The databases the switch narrowed the migration to; every database before it. */
    MigrationDatabases movedOnly() {
        synchronized (lock) {
            return movedOnly;
        }
    }

    boolean dualWrite() {
        synchronized (lock) {
            return dualWrite;
        }
    }

    int pauses() {
        synchronized (lock) {
            return pauses;
        }
    }
}
