package io.exodus.analyzer.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.config.StorageKind;

/** PGTune's published values for its own examples, reproduced. */
class PgTuneTest {

    @Test
    void sixteenGigabytesFourCpusSsdWebApplication() {
        Map<String, String> settings = values(16 * PgTune.GB, 4, StorageKind.SSD, WorkloadType.WEB, 200);
        assertEquals("4GB", settings.get("shared_buffers"));
        assertEquals("12GB", settings.get("effective_cache_size"));
        assertEquals("1GB", settings.get("maintenance_work_mem"));
        assertEquals("16MB", settings.get("wal_buffers"));
        assertEquals("1.1", settings.get("random_page_cost"));
        assertEquals("200", settings.get("effective_io_concurrency"));
        assertEquals("1GB", settings.get("min_wal_size"));
        assertEquals("4GB", settings.get("max_wal_size"));
        assertEquals("100", settings.get("default_statistics_target"));
        // (16 GiB − 4 GiB) / ((200 + 4) × 3) = 20560 kB
        assertEquals("20MB", settings.get("work_mem"));
        assertEquals(12 * PgTune.GB / ((200 + 4) * 3), PgTune.workMem(16 * PgTune.GB, 4 * PgTune.GB, 200, 4,
                WorkloadType.WEB));
        assertEquals("4", settings.get("max_worker_processes"));
        assertEquals("2", settings.get("max_parallel_workers_per_gather"));
    }

    @Test
    void dataWarehousesGetMoreMaintenanceMemoryHalvedWorkMemAndMoreWal() {
        Map<String, String> settings = values(64 * PgTune.GB, 16, StorageKind.HDD, WorkloadType.DW, 40);
        assertEquals("8GB", settings.get("maintenance_work_mem"), "RAM / 8, capped at 8GB");
        assertEquals("16GB", settings.get("max_wal_size"));
        assertEquals("500", settings.get("default_statistics_target"));
        assertEquals("4", settings.get("random_page_cost"));
        assertEquals("4", settings.get("max_parallel_workers_per_gather"), "at most 4");
        assertEquals(48 * PgTune.GB / ((40 + 16) * 3) / 2, PgTune.workMem(64 * PgTune.GB, 16 * PgTune.GB, 40, 16,
                WorkloadType.DW));
    }

    @Test
    void fewCpusLeaveTheParallelSettingsAlone() {
        Map<String, String> settings = values(4 * PgTune.GB, 2, StorageKind.SSD, WorkloadType.OLTP, 300);
        assertFalse(settings.containsKey("max_worker_processes"));
        assertEquals("64kB", PgTune.format(PgTune.workMem(PgTune.MB, PgTune.MB / 4, 1000, 8, WorkloadType.OLTP)),
                "never below 64kB");
    }

    @Test
    void formatsMemoryAsPostgresqlConfWritesIt() {
        assertEquals("4GB", PgTune.format(4 * PgTune.GB));
        assertEquals("1536MB", PgTune.format(1536 * PgTune.MB));
        assertEquals("640kB", PgTune.format(640 * PgTune.KB));
    }

    private static Map<String, String> values(long memory, int cpus, StorageKind storage, WorkloadType type,
            int connections) {
        return PgTune.settings(memory, cpus, storage, type, connections).stream()
                .collect(Collectors.toMap(PgTune.Tuned::name, PgTune.Tuned::value));
    }
}
