package io.exodus.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code exodus.errors} of one origin, one counter per SQLSTATE class, registered the first time a class occurs
 * and then found by array index: no map lookup and no allocation per error.
 */
final class ErrorCounters {
    private final MeterRegistry registry;
    private final ErrorOrigin origin;
    private final AtomicReferenceArray<Counter> byClass = new AtomicReferenceArray<>(SqlStateClass.COUNT);

    ErrorCounters(MeterRegistry registry, ErrorOrigin origin) {
        this.registry = registry;
        this.origin = origin;
    }

    void increment(int sqlStateClass) {
        Counter counter = byClass.get(sqlStateClass);
        if (counter == null) {
            // Two event loops may race here; the registry hands both the same counter.
            counter = Counter.builder(ExodusMeters.ERRORS)
                    .description("ErrorResponses sent to clients, by origin and SQLSTATE class")
                    .tag(ExodusMeters.TAG_ORIGIN, origin.tagValue())
                    .tag(ExodusMeters.TAG_SQLSTATE_CLASS, SqlStateClass.name(sqlStateClass))
                    .register(registry);
            byClass.set(sqlStateClass, counter);
        }
        counter.increment();
    }
}
