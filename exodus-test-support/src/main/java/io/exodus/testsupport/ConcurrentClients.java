package io.exodus.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/** Runs a workload's clients, one thread each, and waits for all of them. */
final class ConcurrentClients {

    private ConcurrentClients() {
    }

    /**
     * @param client runs as client 0 .. clients - 1; it is expected to count its own failures, so anything it throws
     *               is a bug in the workload and is rethrown here once every client has finished
     */
    static void run(String name, int clients, IntConsumer client) {
        if (clients < 1) {
            throw new IllegalArgumentException("At least one client is needed, not " + clients);
        }
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int index = i;
            Thread thread = new Thread(() -> client.accept(index), name + "-" + index);
            thread.setUncaughtExceptionHandler((t, e) -> unexpected.compareAndSet(null, e));
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the " + name + " clients ran", e);
        }
        if (unexpected.get() != null) {
            throw new IllegalStateException("A " + name + " client broke: " + unexpected.get(), unexpected.get());
        }
    }
}
