package io.exodus.analyzer.profile;

import io.exodus.analyzer.profile.DatabaseProfile.Activity;
import io.exodus.analyzer.profile.DatabaseProfile.Server;
import io.exodus.analyzer.profile.DatabaseProfile.Setting;
import io.exodus.analyzer.profile.WorkloadProfile.Transactions;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-built profiles for the pure tests of checks and recommendations: a healthy PostgreSQL 15 source and target
 * with nothing to flag, to which a test adds the one thing it is about.
 */
public final class ProfileBuilder {
    public final Database source = new Database("source");
    public Database target = new Database("target");
    public final List<WorkloadProfile.ClassMix> mix = new ArrayList<>();
    public final List<WorkloadProfile.LoadPoint> load = new ArrayList<>();
    public final Map<String, Long> sessionBehaviour = new LinkedHashMap<>();
    public final List<WorkloadProfile.FunctionUse> functions = new ArrayList<>();
    public final List<WorkloadProfile.StatementStats> volatileStatements = new ArrayList<>();
    public long events;
    public long sessions;
    public int peakSessions;
    public long reads;
    public long writes;

    /** One database's catalogs, every list empty and the settings Exodus wants. */
    public static final class Database {
        public final String role;
        public String version = "15.19";
        public int versionNumber = 150019;
        public Flavour flavour = Flavour.SELF_HOSTED;
        public String libcVersion = "2.36";
        public Long memoryBytes;
        public Integer cpus;
        public final Map<String, Setting> settings = new LinkedHashMap<>();
        public final List<DatabaseProfile.Table> tables = new ArrayList<>();
        public final List<DatabaseProfile.Sequence> sequences = new ArrayList<>();
        public final List<DatabaseProfile.Extension> extensions = new ArrayList<>(
                List.of(new DatabaseProfile.Extension("plpgsql", "1.0")));
        public final Map<String, String> availableExtensions = new LinkedHashMap<>(Map.of("plpgsql", "1.0"));
        public final List<DatabaseProfile.Collation> collations = new ArrayList<>();
        public final List<DatabaseProfile.CollatedIndexColumn> collatedIndexColumns = new ArrayList<>();
        public long largeObjects;
        public final List<DatabaseProfile.DeferrableConstraint> deferrable = new ArrayList<>();
        public final List<DatabaseProfile.VolatileDefault> volatileDefaults = new ArrayList<>();
        public final List<DatabaseProfile.ReplicationSlot> slots = new ArrayList<>();
        public final List<DatabaseProfile.PreparedTransaction> prepared = new ArrayList<>();
        public final List<DatabaseProfile.OpenTransaction> longTransactions = new ArrayList<>();
        public Activity activity = Activity.NONE;
        public long bytes = 1L << 30;

        Database(String role) {
            this.role = role;
            set("wal_level", "logical");
            set("max_prepared_transactions", "100");
            set("max_replication_slots", "10");
            set("max_wal_senders", "10");
            set("max_connections", "100");
            set("checkpoint_timeout", "300");
        }

        public Database set(String name, String value) {
            settings.put(name, new Setting(value, value, null));
            return this;
        }

        public Database table(String name, String... primaryKey) {
            tables.add(new DatabaseProfile.Table("public", name, "table", false, "default", null,
                    List.of(primaryKey), null, 1000, 8192, 0));
            return this;
        }

        DatabaseProfile build() {
            Server server = new Server(version, versionNumber, "PostgreSQL " + version, flavour, "test", "shop", "UTF8",
                    "C", "C", "libc", null, null, libcVersion, false, memoryBytes, cpus);
            return new DatabaseProfile(role, server, settings, List.of(new DatabaseProfile.DatabaseSize("shop", bytes)),
                    tables, List.of(), List.of(), sequences, List.of(), extensions, availableExtensions, collations,
                    collatedIndexColumns, List.of(), largeObjects, deferrable, volatileDefaults, slots, prepared,
                    longTransactions, activity, List.of());
        }
    }

    public MigrationProfile build() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        WorkloadProfile workload = new WorkloadProfile(events, 0, sessions, events == 0 ? null : now.minusMinutes(1),
                events == 0 ? null : now, mix, reads, writes, reads + writes == 0 ? 0 : (double) reads / (reads + writes),
                Map.of(), List.of(), List.of(), 1, load, peakSessions, Transactions.NONE, sessionBehaviour, functions,
                Map.of());
        return new MigrationProfile(now, source.build(), target == null ? null : target.build(), workload,
                volatileStatements);
    }
}
