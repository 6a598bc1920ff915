package io.exodus.analyzer.recommend;

import com.fasterxml.jackson.annotation.JsonValue;
import io.exodus.analyzer.profile.WorkloadProfile;

import java.util.Locale;

/**
 * PGTune's database types, with the constants its formulas take from them; which one applies is measured from the
 * captured workload instead of asked ({@link #of}).
 */
public enum WorkloadType {
    /** Many short reads: web applications. */
    WEB(200, 1, 4, 1, 16, 100),
    /** Short transactions with many writes. */
    OLTP(300, 2, 8, 1, 16, 100),
    /** Few, long, scanning queries: data warehouses and reporting. */
    DW(40, 4, 16, 2, 8, 500),
    /** Nothing dominates, or nothing was measured. */
    MIXED(100, 1, 4, 2, 16, 100);

    /** Mean statement time above which reads are taken for reporting rather than web traffic. */
    static final double LONG_STATEMENT_MICROS = 100_000;
    /** Share of writes above which the workload is transactional. */
    static final double WRITE_HEAVY_SHARE = 0.2;

    final int maxConnections;
    final int minWalGigabytes;
    final int maxWalGigabytes;
    final int workMemDivisor;
    final int maintenanceWorkMemDivisor;
    final int defaultStatisticsTarget;

    WorkloadType(int maxConnections, int minWalGigabytes, int maxWalGigabytes, int workMemDivisor,
            int maintenanceWorkMemDivisor, int defaultStatisticsTarget) {
        this.maxConnections = maxConnections;
        this.minWalGigabytes = minWalGigabytes;
        this.maxWalGigabytes = maxWalGigabytes;
        this.workMemDivisor = workMemDivisor;
        this.maintenanceWorkMemDivisor = maintenanceWorkMemDivisor;
        this.defaultStatisticsTarget = defaultStatisticsTarget;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type the captured workload shows, with why. */
    static Choice<WorkloadType> of(WorkloadProfile workload) {
        if (workload.isEmpty()) {
            return new Choice<>(MIXED, "no captured traffic yet: PGTune's mixed type");
        }
        long statements = workload.reads() + workload.writes();
        double writeShare = statements == 0 ? 0 : (double) workload.writes() / statements;
        double meanMicros = workload.mix().stream().mapToLong(mix -> mix.totalMicros()).sum()
                / (double) Math.max(1, workload.events());
        String measured = String.format(Locale.ROOT, "%.0f %% writes, mean statement %.1f ms", writeShare * 100,
                meanMicros / 1000);
        if (meanMicros >= LONG_STATEMENT_MICROS && writeShare < WRITE_HEAVY_SHARE) {
            return new Choice<>(DW, measured + ": long, mostly reading statements");
        }
        if (writeShare >= WRITE_HEAVY_SHARE) {
            return new Choice<>(OLTP, measured + ": a transactional workload");
        }
        return new Choice<>(WEB, measured + ": short, mostly reading statements");
    }
}
