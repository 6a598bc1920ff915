package io.exodus.proxy.verify;

import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToLongFunction;

/**
 * {@code exodus.verification.*}: what the last finished verification and row counts found, read from their reports
 * when a registry asks (registered when the first finishes), and the rows verified since start. Nothing is registered
 * with {@code exodus.metrics.enabled=false}.
 */
@ApplicationScoped
public class VerificationMeters {
    private final MetricsConfig config;
    private final MeterRegistry registry;
    private final Verification verification;
    private final RowCounts rowCounts;

    public VerificationMeters(MetricsConfig config, MeterRegistry registry, Verification verification,
            RowCounts rowCounts) {
        this.config = config;
        this.registry = registry;
        this.verification = verification;
        this.rowCounts = rowCounts;
    }

    private final java.util.concurrent.atomic.AtomicBoolean gaugesRegistered =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean countGaugeRegistered =
            new java.util.concurrent.atomic.AtomicBoolean();

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        FunctionCounter.builder(ExodusMeters.VERIFICATION_ROWS_CHECKED, verification, Verification::rowsChecked)
                .description("Rows verified since the proxy started").register(registry);
        // The gauges appear once there is a result to show: before, any value would read as one.
        verification.onFinished(this::verificationGauges);
        rowCounts.onFinished(() -> {
            if (countGaugeRegistered.compareAndSet(false, true)) {
                Gauge.builder(ExodusMeters.VERIFICATION_COUNTS_DIFFERING, rowCounts, counts -> counts.latestFinished()
                                .map(report -> (double) report.differing()).orElse(0.0))
                        .description("Tables whose exact row counts differed in the last finished round")
                        .register(registry);
            }
        });
    }

    /**
     * Once, at the first finished verification: registering again returns the same gauge, but the composite registry
     * warns each time ("already registered"), once per verification.
     */
    private void verificationGauges() {
        if (!gaugesRegistered.compareAndSet(false, true)) {
            return;
        }
        Gauge.builder(ExodusMeters.VERIFICATION_IDENTICAL, verification, v -> v.latestFinished()
                        .map(report -> report.identical() ? 1.0 : 0.0).orElse(0.0))
                .description("1 when the last finished verification found source and target identical, 0 when not")
                .register(registry);
        rows(RowDifference.Kind.MISSING, TableReport::missing);
        rows(RowDifference.Kind.EXTRA, TableReport::extra);
        rows(RowDifference.Kind.DIFFERENT, TableReport::different);
    }

    private void rows(RowDifference.Kind kind, ToLongFunction<TableReport> count) {
        Gauge.builder(ExodusMeters.VERIFICATION_ROWS, verification, v -> v.latestFinished()
                        .map(report -> (double) report.tables().stream().mapToLong(count).sum()).orElse(0.0))
                .tag("kind", kind.tag())
                .description("Rows the last finished verification found differing")
                .register(registry);
    }
}
