package io.exodus.analyzer.recommend;

import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.WorkloadProfile;
import io.exodus.analyzer.profile.WorkloadProfile.LoadPoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A target machine size from what was measured: CPUs for the busiest moment of the captured load, memory for a
 * quarter of the data (a usual hot set) and for the CPUs, disk for the data twice over.
 *
 * @param shape {@code general-purpose} (up to 4 GiB per vCPU) or {@code memory-optimized}
 */
public record InstanceSize(int vcpus, long memoryBytes, long storageBytes, String shape, List<String> reasons) {
    static final int MIN_VCPUS = 2;
    static final long MIN_MEMORY = 4 * PgTune.GB;
    static final long MEMORY_PER_VCPU = 4 * PgTune.GB;
    static final long MIN_STORAGE = 20 * PgTune.GB;
    /** Busy backends at the peak are doubled: CPUs at 50 % at the busiest moment leave room for growth and spikes. */
    static final int CPU_HEADROOM = 2;

    static InstanceSize of(MigrationProfile profile) {
        List<String> reasons = new ArrayList<>();
        int vcpus = vcpus(profile, reasons);
        long data = profile.source().totalBytes();
        long hotSet = nextPowerOfTwo(data / 4);
        long memory = Math.max(MIN_MEMORY, Math.max(vcpus * MEMORY_PER_VCPU, hotSet));
        reasons.add("memory: the largest of 4 GiB, 4 GiB per vCPU and a quarter of the source's "
                + PgTune.human(data) + " of data (rounded up to a power of two)");
        long storage = Math.max(MIN_STORAGE, data * 2);
        reasons.add("storage: twice the source's data (indexes rebuilt, growth, WAL), at least 20 GiB");
        String shape = memory > vcpus * MEMORY_PER_VCPU ? "memory-optimized" : "general-purpose";
        return new InstanceSize(vcpus, memory, storage, shape, reasons);
    }

    private static int vcpus(MigrationProfile profile, List<String> reasons) {
        WorkloadProfile workload = profile.workload();
        Optional<LoadPoint> busiest = workload.load().stream().max(Comparator.comparingLong(LoadPoint::totalMicros));
        if (busiest.isEmpty()) {
            Integer sourceCpus = profile.source().server().cpus();
            if (sourceCpus != null) {
                reasons.add("vCPUs: as many as the source's host (" + sourceCpus + "); no captured traffic yet");
                return Math.max(MIN_VCPUS, sourceCpus);
            }
            reasons.add("vCPUs: the minimum of " + MIN_VCPUS + "; no captured traffic and the source's CPUs unknown");
            return MIN_VCPUS;
        }
        double busyBackends = busiest.get().totalMicros() / (workload.bucketSeconds() * 1_000_000.0);
        int vcpus = Math.max(MIN_VCPUS, (int) nextPowerOfTwo((long) Math.ceil(busyBackends * CPU_HEADROOM)));
        reasons.add(String.format(Locale.ROOT, "vCPUs: %.2f statements running at once on average in the busiest "
                + "%d s of the capture (%s), doubled for headroom, rounded up to a power of two", busyBackends,
                workload.bucketSeconds(), busiest.get().at()));
        return vcpus;
    }

    static long nextPowerOfTwo(long value) {
        return value <= 1 ? 1 : Long.highestOneBit(value - 1) << 1;
    }
}
