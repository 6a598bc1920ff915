package io.exodus.analyzer.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.checks.Checks;
import io.exodus.analyzer.config.StorageKind;
import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.ProfileBuilder;
import io.exodus.analyzer.profile.WorkloadProfile;

class RecommenderTest {

    private final ProfileBuilder profile = new ProfileBuilder();

    @Test
    void twoPhaseCommitWhenBothAllowItAndNoSessionUsesTemporaryTables() {
        assertEquals(Policy.TWO_PHASE_COMMIT, recommend().policy().value());
        profile.sessionBehaviour.put("temp-table", 3L);
        Recommendations recommendations = recommend();
        assertEquals(Policy.BOTH_REQUIRED, recommendations.policy().value());
        assertTrue(recommendations.policy().reasons().stream().anyMatch(reason -> reason.contains("temporary tables")));
    }

    @Test
    void maxConnectionsFollowTheMeasuredPeak() {
        profile.events = 100;
        profile.peakSessions = 40;
        assertEquals("70", setting(recommend(), "max_connections").value(), "40 × 1.5 + 10");
        profile.peakSessions = 0;
        profile.events = 0;
        assertEquals("100", setting(recommend(), "max_connections").value(), "the source's own, nothing measured");
    }

    @Test
    void configuredMemoryAndCpusWinOverTheRecommendedInstance() {
        Recommendations recommendations = Recommender.recommend(profile.build(), List.of(),
                Optional.of(32 * PgTune.GB), OptionalInt.of(8), StorageKind.SSD);
        assertEquals("8GB", setting(recommendations, "shared_buffers").value());
        assertEquals("memory configured, CPUs configured", recommendations.hardware().basis());
        profile.target.memoryBytes = 8 * PgTune.GB;
        assertEquals("2GB", setting(recommend(), "shared_buffers").value(), "read from the target");
    }

    @Test
    void spilledSortsRaiseWorkMemAtMostFourfold() {
        profile.target.memoryBytes = 16 * PgTune.GB;
        profile.target.cpus = 4;
        profile.source.activity = new DatabaseProfile.Activity(OffsetDateTime.now(ZoneOffset.UTC).minusDays(1), 1000,
                0, 10, 10 * 512 * PgTune.MB, null);
        SettingRecommendation workMem = setting(recommend(), "work_mem");
        // PGTune: 12 GiB / ((100 + 4) × 3) = 40329 kB (39MB); fourfold is the cap below the 512 MiB spills.
        assertEquals(PgTune.format(PgTune.workMem(16 * PgTune.GB, 4 * PgTune.GB, 100, 4, WorkloadType.MIXED) * 4),
                workMem.value());
        assertTrue(workMem.reason().contains("spilled 10 temporary files"), workMem.reason());
    }

    @Test
    void heavyWalRaisesMaxWalSize() {
        profile.source.activity = new DatabaseProfile.Activity(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(3000),
                0, 0, 0, 0, 50 * PgTune.GB);
        // 50 GiB in 3000 s is 5 GiB per 300 s checkpoint: twice that, 10GB.
        assertEquals("10GB", setting(recommend(), "max_wal_size").value());
    }

    @Test
    void readHeavyTrafficGetsCanaryWriteHeavyBigBang() {
        profile.events = 100;
        profile.reads = 90;
        profile.writes = 10;
        assertEquals(Strategy.CANARY, recommend().strategy().value());
        profile.reads = 20;
        profile.writes = 80;
        assertEquals(Strategy.BIG_BANG, recommend().strategy().value());
    }

    @Test
    void theInstanceHasCpusForTheBusiestSecondAndMemoryForAQuarterOfTheData() {
        profile.events = 100;
        profile.load.add(new WorkloadProfile.LoadPoint(OffsetDateTime.now(ZoneOffset.UTC), 100, 10, 500_000, 5));
        profile.load.add(new WorkloadProfile.LoadPoint(OffsetDateTime.now(ZoneOffset.UTC), 900, 10, 2_600_000, 5));
        profile.source.bytes = 100 * PgTune.GB;
        InstanceSize instance = recommend().instance();
        // 2.6 busy backends in the busiest second, doubled: 5.2 → 8 vCPUs.
        assertEquals(8, instance.vcpus());
        assertEquals(32 * PgTune.GB, instance.memoryBytes());
        assertEquals(200 * PgTune.GB, instance.storageBytes());
    }

    @Test
    void cutoverBlockersAreTheChecksThatNeedActionWorstFirst() {
        profile.target.set("max_prepared_transactions", "0");
        profile.source.extensions.add(new DatabaseProfile.Extension("timescaledb", "2.14.2"));
        assertEquals(List.of("missing-extension", "max-prepared-transactions"), recommend().cutoverBlockers().stream()
                .map(CutoverBlocker::key).toList());
    }

    private Recommendations recommend() {
        MigrationProfile built = profile.build();
        return Recommender.recommend(built, Checks.evaluate(built), Optional.empty(), OptionalInt.empty(),
                StorageKind.SSD);
    }

    private static SettingRecommendation setting(Recommendations recommendations, String name) {
        return recommendations.settings().stream().filter(setting -> setting.name().equals(name)).findFirst()
                .orElseThrow();
    }
}
