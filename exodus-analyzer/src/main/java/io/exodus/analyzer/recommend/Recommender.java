package io.exodus.analyzer.recommend;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.checks.NondeterministicStatement;
import io.exodus.analyzer.config.StorageKind;
import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.WorkloadProfile;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Turns a profile and its checks into {@link Recommendations}: PGTune for the target's machine, then what the
 * workload measured on top (connections at the peak, sorts that spilled, WAL volume), the strategy and policy, the
 * statements to pin, and the cutover blockers. Pure: every input is an argument.
 */
public final class Recommender {
    /** Connections above the measured peak: administrators, replication, Exodus' own control connections. */
    static final int RESERVED_CONNECTIONS = 10;
    static final double CONNECTION_HEADROOM = 1.5;
    static final int MIN_CONNECTIONS = 20;
    /** work_mem is raised at most this far above PGTune's value to fit measured spills. */
    static final int SPILL_RAISE_CAP = 4;
    static final Duration DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(5);

    private Recommender() {
    }

    /**
     * @param memory  the target's memory as configured; else read from the target, else the recommended size's
     * @param cpus    the target's CPUs, likewise
     */
    public static Recommendations recommend(MigrationProfile profile, List<CheckResult> checks, Optional<Long> memory,
            OptionalInt cpus, StorageKind storage) {
        InstanceSize instance = InstanceSize.of(profile);
        TargetHardware hardware = hardware(profile, instance, memory, cpus, storage);
        Choice<WorkloadType> type = WorkloadType.of(profile.workload());
        Choice<Policy> policy = Policy.of(profile);
        Choice<Integer> connections = maxConnections(profile);
        List<SettingRecommendation> settings = new ArrayList<>();
        settings.add(setting(profile, "max_connections", String.valueOf(connections.value()),
                String.join("; ", connections.reasons())));
        for (PgTune.Tuned tuned : PgTune.settings(hardware.memoryBytes(), hardware.cpus(), storage, type.value(),
                connections.value())) {
            settings.add(adjusted(profile, tuned));
        }
        settings.add(setting(profile, "max_prepared_transactions", policy.value() == Policy.TWO_PHASE_COMMIT
                ? String.valueOf(connections.value()) : "0", policy.value() == Policy.TWO_PHASE_COMMIT
                ? "one per connection, for policy two-phase-commit" : "not needed by policy both-required"));
        return new Recommendations(hardware, instance, type, settings, Strategy.of(profile.workload()), policy,
                pinned(profile), blockers(checks));
    }

    private static TargetHardware hardware(MigrationProfile profile, InstanceSize instance, Optional<Long> memory,
            OptionalInt cpus, StorageKind storage) {
        Optional<DatabaseProfile.Server> target = profile.targetProfile().map(DatabaseProfile::server);
        List<String> basis = new ArrayList<>();
        long bytes = firstKnown("memory", memory, target.map(DatabaseProfile.Server::memoryBytes),
                instance.memoryBytes(), basis);
        int count = firstKnown("CPUs", cpus.isPresent() ? Optional.of(cpus.getAsInt()) : Optional.empty(),
                target.map(DatabaseProfile.Server::cpus), instance.vcpus(), basis);
        return new TargetHardware(bytes, count, storage, String.join(", ", basis));
    }

    /** The configured value, else the one read from the target, else the recommended instance's; says which. */
    private static <T> T firstKnown(String what, Optional<T> configured, Optional<T> readFromTarget, T recommended,
            List<String> basis) {
        if (configured.isPresent()) {
            basis.add(what + " configured");
            return configured.get();
        }
        if (readFromTarget.isPresent()) {
            basis.add(what + " read from the target");
            return readFromTarget.get();
        }
        basis.add(what + " of the recommended instance");
        return recommended;
    }

    private static Choice<Integer> maxConnections(MigrationProfile profile) {
        WorkloadProfile workload = profile.workload();
        if (workload.peakSessions() > 0) {
            int value = Math.max(MIN_CONNECTIONS,
                    (int) Math.ceil(workload.peakSessions() * CONNECTION_HEADROOM) + RESERVED_CONNECTIONS);
            return new Choice<>(value, "peak of " + workload.peakSessions() + " concurrent sessions captured, × "
                    + CONNECTION_HEADROOM + " for headroom, + " + RESERVED_CONNECTIONS + " for administrators, "
                    + "replication and Exodus' own connections");
        }
        Optional<Long> source = profile.source().numericSetting("max_connections");
        if (source.isPresent()) {
            return new Choice<>(source.get().intValue(), "no captured traffic yet: the source's own max_connections");
        }
        return new Choice<>(WorkloadType.MIXED.maxConnections, "no captured traffic and no source setting: PGTune's");
    }

    /** PGTune's value, raised where the source measured more need: spilled sorts (work_mem), WAL volume. */
    private static SettingRecommendation adjusted(MigrationProfile profile, PgTune.Tuned tuned) {
        DatabaseProfile.Activity activity = profile.source().activity();
        if (tuned.name().equals("work_mem") && activity.tempFiles() > 0) {
            long averageSpill = activity.tempBytes() / activity.tempFiles();
            if (averageSpill > tuned.number()) {
                long raised = Math.min(averageSpill, tuned.number() * SPILL_RAISE_CAP);
                return setting(profile, tuned.name(), PgTune.format(raised), "PGTune gives " + tuned.value()
                        + ", but the source spilled " + activity.tempFiles() + " temporary files averaging "
                        + PgTune.human(averageSpill) + " since " + activity.since() + "; raised to fit them, at most "
                        + SPILL_RAISE_CAP + "× PGTune's");
            }
        }
        if (tuned.name().equals("max_wal_size") && activity.walBytes() != null && activity.since() != null) {
            long perCheckpoint = walPerCheckpoint(profile.source(), activity);
            if (perCheckpoint * 2 > tuned.number()) {
                long gigabytes = (perCheckpoint * 2 + PgTune.GB - 1) / PgTune.GB;
                return setting(profile, tuned.name(), gigabytes + "GB", "the source writes "
                        + PgTune.human(perCheckpoint) + " of WAL per checkpoint interval on average; twice that keeps "
                        + "checkpoints timed rather than forced (PGTune gives " + tuned.value() + ")");
            }
        }
        return setting(profile, tuned.name(), tuned.value(), "PGTune: " + tuned.formula());
    }

    private static long walPerCheckpoint(DatabaseProfile source, DatabaseProfile.Activity activity) {
        long seconds = Math.max(1, Duration.between(activity.since(), OffsetDateTime.now(activity.since().getOffset()))
                .toSeconds());
        long checkpointSeconds = source.numericSetting("checkpoint_timeout")
                .orElse(DEFAULT_CHECKPOINT_TIMEOUT.toSeconds());
        return (long) (activity.walBytes() / (double) seconds * checkpointSeconds);
    }

    private static SettingRecommendation setting(MigrationProfile profile, String name, String value, String reason) {
        String current = profile.targetProfile().flatMap(target -> target.setting(name)).orElse(null);
        return new SettingRecommendation(name, value, current, reason);
    }

    private static List<PinnedStatement> pinned(MigrationProfile profile) {
        List<PinnedStatement> pinned = new ArrayList<>(NondeterministicStatement.allIn(profile).stream()
                .map(finding -> new PinnedStatement(
                finding.statement().fingerprint(), finding.statement().text(), "nondeterministic",
                "calls " + finding.functions().stream().map(function -> function + "()").collect(Collectors.joining(", "))
                        + ", which each database "
                        + "evaluates for itself in a " + finding.statement().statementClass() + " Exodus runs as text"))
                .toList());
        pinned.addAll(serverDrawnReads(profile));
        return pinned;
    }

    /** Volatile functions whose value a read gets from the server it runs on: its clock, its random state. */
    private static final java.util.Set<String> DRAWN_BY_THE_SERVER = java.util.Set.of("random", "random_normal",
            "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
            "uuid_generate_v4");

    /**
     * Reads whose answer the server draws (its clock, its random state): in phase canary the target would answer
     * with its own, which tells nothing about its data and differs from what the source says (clock skew decides
     * which rows {@code expires_at > clock_timestamp()} returns). Kept on the source.
     */
    private static List<PinnedStatement> serverDrawnReads(MigrationProfile profile) {
        List<PinnedStatement> reads = new ArrayList<>();
        for (WorkloadProfile.StatementStats statement : profile.volatileStatements()) {
            if (!statement.statementClass().equals("read")) {
                continue;
            }
            List<String> drawn = statement.functions().stream()
                    .filter(function -> DRAWN_BY_THE_SERVER.contains(function.substring(function.lastIndexOf('.') + 1)))
                    .toList();
            if (!drawn.isEmpty()) {
                reads.add(new PinnedStatement(statement.fingerprint(), statement.text(), "server-drawn-read",
                        "calls " + drawn.stream().map(function -> function + "()").collect(Collectors.joining(", "))
                                + ", whose value the server draws: a canary read on the target would answer with "
                                + "the target's"));
            }
        }
        return reads;
    }

    private static List<CutoverBlocker> blockers(List<CheckResult> checks) {
        return checks.stream().filter(check -> check.verdict().blocksCutover())
                .sorted(Comparator.comparing(CheckResult::verdict).reversed())
                .map(check -> new CutoverBlocker(check.key(), check.verdict(), check.action())).toList();
    }
}
