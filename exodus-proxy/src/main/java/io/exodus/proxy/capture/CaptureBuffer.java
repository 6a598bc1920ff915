package io.exodus.proxy.capture;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Between the relays (many event loops, which must never wait) and the one sender thread: a lock-free queue bounded by
 * a counter. A full buffer drops the event and counts it, as PgDog's mirror drops what its bounded channel cannot take;
 * the client is never slowed. Every event not shipped is counted here by {@link DropReason}.
 */
final class CaptureBuffer {
    private final ConcurrentLinkedQueue<CaptureItem> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final int wakeAt;
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final LongAdder offered = new LongAdder();
    private volatile Thread consumer;

    /** @param wakeAt the size at which the sender is woken (a full batch), instead of waiting for its interval */
    CaptureBuffer(int capacity, int wakeAt) {
        this.capacity = capacity;
        this.wakeAt = wakeAt;
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
    }

    /** Takes the statement (or mismatch) unless the buffer is full; never waits. */
    void offer(CaptureItem statement) {
        int now = size.incrementAndGet();
        if (now > capacity) {
            size.decrementAndGet();
            dropped[DropReason.BUFFER_FULL.ordinal()].increment();
            return;
        }
        queue.offer(statement);
        offered.increment();
        if (now == wakeAt) {
            Thread sender = consumer;
            if (sender != null) {
                LockSupport.unpark(sender);
            }
        }
    }

    void drop(DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    void drop(DropReason reason, long count) {
        dropped[reason.ordinal()].add(count);
    }

    /** Moves up to {@code max} items into {@code into}, oldest first; for the sender thread. */
    int drainTo(List<? super CaptureItem> into, int max) {
        int taken = 0;
        CaptureItem next;
        while (taken < max && (next = queue.poll()) != null) {
            into.add(next);
            taken++;
        }
        size.addAndGet(-taken);
        return taken;
    }

    int size() {
        return size.get();
    }

    int capacity() {
        return capacity;
    }

    long dropped(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    long droppedTotal() {
        long total = 0;
        for (LongAdder adder : dropped) {
            total += adder.sum();
        }
        return total;
    }

    /** Events that entered the buffer. */
    long buffered() {
        return offered.sum();
    }

    void consumer(Thread thread) {
        this.consumer = thread;
    }
}
