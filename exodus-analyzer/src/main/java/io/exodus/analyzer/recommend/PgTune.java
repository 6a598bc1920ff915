package io.exodus.analyzer.recommend;

import io.exodus.analyzer.config.StorageKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PGTune's formulas (le0pard/pgtune) for a machine and a workload type: the baseline that {@link Recommender} then
 * adjusts with what the workload measured. Pure arithmetic; memory values in postgresql.conf's units.
 */
public final class PgTune {
    static final long KB = 1024;
    static final long MB = 1024 * KB;
    static final long GB = 1024 * MB;
    static final long MAINTENANCE_WORK_MEM_CAP = 8 * GB;
    static final long WAL_BUFFERS_CAP = 16 * MB;
    static final long WORK_MEM_FLOOR = 64 * KB;
    /** PGTune leaves the parallel settings at their defaults below this many CPUs. */
    static final int PARALLEL_FROM_CPUS = 4;
    static final int PARALLEL_WORKERS_CAP = 4;
    static final int DEFAULT_WORKER_PROCESSES = 8;

    private PgTune() {
    }

    /** One setting's value and the formula it came from. */
    public record Tuned(String name, long number, String value, String formula) {
    }

    public static List<Tuned> settings(long memory, int cpus, StorageKind storage, WorkloadType type,
            int maxConnections) {
        List<Tuned> tuned = new ArrayList<>();
        long sharedBuffers = memory / 4;
        tuned.add(memory("shared_buffers", sharedBuffers, "RAM / 4"));
        tuned.add(memory("effective_cache_size", memory * 3 / 4, "RAM × 3/4"));
        tuned.add(memory("maintenance_work_mem",
                Math.min(memory / type.maintenanceWorkMemDivisor, MAINTENANCE_WORK_MEM_CAP),
                "RAM / " + type.maintenanceWorkMemDivisor + ", at most 8GB"));
        tuned.add(new Tuned("checkpoint_completion_target", 9, "0.9", "spread checkpoints over 90 % of the interval"));
        tuned.add(memory("wal_buffers", Math.min(sharedBuffers * 3 / 100, WAL_BUFFERS_CAP),
                "3 % of shared_buffers, at most 16MB"));
        tuned.add(number("default_statistics_target", type.defaultStatisticsTarget, type.wireName() + " workload"));
        tuned.add(new Tuned("random_page_cost", 0, storage.randomPageCost(), storage.wireName() + " storage"));
        tuned.add(number("effective_io_concurrency", storage.effectiveIoConcurrency(), storage.wireName() + " storage"));
        // Below 4 CPUs max_worker_processes keeps PostgreSQL's default of 8.
        int workers = cpus >= PARALLEL_FROM_CPUS ? cpus : DEFAULT_WORKER_PROCESSES;
        tuned.add(memory("work_mem", workMem(memory, sharedBuffers, maxConnections, workers, type),
                "(RAM − shared_buffers) / ((max_connections + max_worker_processes) × 3)"
                        + (type.workMemDivisor > 1 ? " / " + type.workMemDivisor : "")));
        tuned.add(memory("min_wal_size", type.minWalGigabytes * GB, type.wireName() + " workload"));
        tuned.add(memory("max_wal_size", type.maxWalGigabytes * GB, type.wireName() + " workload"));
        if (cpus >= PARALLEL_FROM_CPUS) {
            int perGather = Math.min((cpus + 1) / 2, PARALLEL_WORKERS_CAP);
            tuned.add(number("max_worker_processes", cpus, "one per CPU"));
            tuned.add(number("max_parallel_workers_per_gather", perGather, "CPUs / 2, at most 4"));
            tuned.add(number("max_parallel_workers", cpus, "one per CPU"));
            tuned.add(number("max_parallel_maintenance_workers", perGather, "CPUs / 2, at most 4"));
        }
        return tuned;
    }

    /** PGTune's work_mem: the memory left after shared_buffers shared by every connection and worker, 3 sorts each. */
    static long workMem(long memory, long sharedBuffers, int maxConnections, int workers, WorkloadType type) {
        long perOperation = (memory - sharedBuffers) / ((long) (maxConnections + workers) * 3) / type.workMemDivisor;
        return Math.max(WORK_MEM_FLOOR, perOperation);
    }

    static Tuned memory(String name, long bytes, String formula) {
        return new Tuned(name, bytes, format(bytes), formula);
    }

    private static Tuned number(String name, long value, String formula) {
        return new Tuned(name, value, String.valueOf(value), formula);
    }

    /** Bytes as postgresql.conf writes them: the largest of GB, MB and kB that keeps a whole number. */
    public static String format(long bytes) {
        if (bytes >= GB && bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes >= MB) {
            return bytes / MB + "MB";
        }
        return Math.max(1, bytes / KB) + "kB";
    }

    /** Bytes for people: 1.5 GiB, 300 MiB. */
    public static String human(long bytes) {
        if (bytes >= GB) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GB);
        }
        if (bytes >= MB) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MB);
        }
        return String.format(Locale.ROOT, "%.1f kiB", bytes / (double) KB);
    }
}
