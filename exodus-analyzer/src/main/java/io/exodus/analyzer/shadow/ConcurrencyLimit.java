package io.exodus.analyzer.shadow;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Runs tasks with at most {@code limit} in flight, and answers their results in the tasks' order. */
final class ConcurrencyLimit {
    private ConcurrencyLimit() {
    }

    static <T> Future<List<T>> all(List<Supplier<Future<T>>> tasks, int limit) {
        if (tasks.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        Promise<List<T>> all = Promise.promise();
        Object[] results = new Object[tasks.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger remaining = new AtomicInteger(tasks.size());
        Runnable[] worker = new Runnable[1];
        worker[0] = () -> {
            int index = next.getAndIncrement();
            if (index >= tasks.size()) {
                return;
            }
            tasks.get(index).get().onComplete(done -> {
                if (done.failed()) {
                    all.tryFail(done.cause());
                    return;
                }
                results[index] = done.result();
                if (remaining.decrementAndGet() == 0) {
                    @SuppressWarnings("unchecked")
                    List<T> ordered = (List<T>) new ArrayList<>(Arrays.asList(results));
                    all.tryComplete(ordered);
                } else {
                    worker[0].run();
                }
            });
        };
        for (int i = 0; i < Math.min(limit, tasks.size()); i++) {
            worker[0].run();
        }
        return all.future();
    }
}
