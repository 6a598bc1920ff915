package io.exodus.proxy.verify;

import io.vertx.core.Future;

import java.util.List;
import java.util.function.Function;

/**
 * Steps run one after the other: verification keeps one query in flight per database, so that it never takes more
 * than one backend on each side.
 */
final class InOrder {
    private InOrder() {
    }

    static <T> Future<Void> each(List<T> items, Function<T, Future<Void>> step) {
        return from(items, 0, step);
    }

    private static <T> Future<Void> from(List<T> items, int index, Function<T, Future<Void>> step) {
        if (index >= items.size()) {
            return Future.succeededFuture();
        }
        return step.apply(items.get(index)).compose(done -> from(items, index + 1, step));
    }
}
