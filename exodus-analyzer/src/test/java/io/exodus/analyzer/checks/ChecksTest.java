package io.exodus.analyzer.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.profile.DatabaseProfile;
import io.exodus.analyzer.profile.Flavour;
import io.exodus.analyzer.profile.ProfileBuilder;
import io.exodus.analyzer.profile.WorkloadProfile;

/** Each check on a hand-built profile: healthy, then with the one thing it is about. */
class ChecksTest {

    private final ProfileBuilder profile = new ProfileBuilder();

    @Test
    void aHealthyMigrationPassesEveryCheck() {
        Map<String, Verdict> verdicts = Checks.evaluate(profile.build()).stream()
                .collect(Collectors.toMap(CheckResult::key, CheckResult::verdict));
        assertEquals(Checks.ALL.size(), verdicts.size(), "keys are unique");
        assertEquals(Set.of(Verdict.PASS), Set.copyOf(verdicts.values()), verdicts::toString);
        assertTrue(verdicts.keySet().containsAll(List.of("wal-level", "max-prepared-transactions", "no-primary-key",
                "nondeterministic-default", "collation-library", "sequence-overflow", "missing-extension",
                "deferrable-constraint", "long-transactions", "replication-slot-retention")));
    }

    @Test
    void walLevelReplicaNeedsActionWithTheFlavoursOwnSwitch() {
        profile.source.set("wal_level", "replica");
        profile.source.flavour = Flavour.RDS;
        CheckResult result = check("wal-level");
        assertEquals(Verdict.ACTION_REQUIRED, result.verdict());
        assertTrue(result.action().contains("rds.logical_replication = 1"), result.action());
    }

    @Test
    void noReplicationSlotsLeftNeedsActionToo() {
        profile.source.set("max_replication_slots", "0");
        assertEquals(Verdict.ACTION_REQUIRED, check("wal-level").verdict());
    }

    @Test
    void noPreparedTransactionsOnEitherSideMakesTwoPhaseCommitUnavailable() {
        profile.target.set("max_prepared_transactions", "0");
        CheckResult result = check("max-prepared-transactions");
        assertEquals(Verdict.ACTION_REQUIRED, result.verdict());
        assertTrue(result.action().contains("on the target"), result.action());
        profile.source.set("max_prepared_transactions", "0");
        assertTrue(check("max-prepared-transactions").action().contains("on the source and the target"));
    }

    @Test
    void withoutATargetTheComparingChecksSayTheyCouldNotLook() {
        profile.target = null;
        profile.source.extensions.add(new DatabaseProfile.Extension("hstore", "1.8"));
        for (String key : List.of("max-prepared-transactions", "missing-extension", "target-version")) {
            CheckResult result = check(key);
            assertEquals(Verdict.WARNING, result.verdict(), key);
            assertTrue(result.evidence().contains("no target configured"), result.evidence());
        }
    }

    @Test
    void aTableWithoutKeyNeedsActionUnlessItsReplicaIdentityCarriesChanges() {
        profile.source.table("orders", "id");
        profile.source.tables.add(new DatabaseProfile.Table("public", "events", "table", false, "full", null,
                List.of(), null, 10, 8192, 0));
        assertEquals(Verdict.WARNING, check("no-primary-key").verdict());
        profile.source.table("history");
        CheckResult result = check("no-primary-key");
        assertEquals(Verdict.ACTION_REQUIRED, result.verdict());
        assertTrue(result.evidence().startsWith("2 tables without a primary key: public.events"), result.evidence());
    }

    @Test
    void aPartitionIsJudgedThroughItsParent() {
        profile.source.tables.add(new DatabaseProfile.Table("public", "orders_2025", "table", false, "default", null,
                List.of(), "public.orders", 10, 8192, 0));
        assertEquals(Verdict.PASS, check("no-primary-key").verdict());
    }

    @Test
    void randomDefaultsWarnButSequenceDefaultsDoNot() {
        profile.source.volatileDefaults.add(new DatabaseProfile.VolatileDefault("public", "orders", "id",
                "nextval('orders_id_seq'::regclass)", List.of("nextval")));
        assertEquals(Verdict.PASS, check("nondeterministic-default").verdict());
        profile.source.volatileDefaults.add(new DatabaseProfile.VolatileDefault("public", "coupons", "token",
                "gen_random_uuid()", List.of("gen_random_uuid")));
        CheckResult result = check("nondeterministic-default");
        assertEquals(Verdict.WARNING, result.verdict());
        assertTrue(result.evidence().contains("public.coupons.token DEFAULT gen_random_uuid()"), result.evidence());
    }

    @Test
    void libcTextIndexesWarnAndADifferentCLibraryNeedsAction() {
        profile.source.collatedIndexColumns.add(new DatabaseProfile.CollatedIndexColumn("public", "customers",
                "customers_name", "name", "default", "libc", "C"));
        assertEquals(Verdict.PASS, check("collation-library").verdict(), "C sorts by bytes everywhere");
        profile.source.collatedIndexColumns.add(new DatabaseProfile.CollatedIndexColumn("public", "customers",
                "customers_city", "city", "en_US", "libc", "en_US.utf8"));
        profile.source.collatedIndexColumns.add(new DatabaseProfile.CollatedIndexColumn("public", "customers",
                "customers_icu", "name", "und-x-icu", "icu", "und"));
        CheckResult same = check("collation-library");
        assertEquals(Verdict.WARNING, same.verdict());
        assertTrue(same.evidence().startsWith("1 index column sorts text"), same.evidence());
        profile.target.libcVersion = "2.28";
        assertEquals(Verdict.ACTION_REQUIRED, check("collation-library").verdict());
    }

    @Test
    void aCollationVersionThatChangedUnderTheSourceNeedsAction() {
        profile.source.collations.add(new DatabaseProfile.Collation("en_US", "libc", "en_US.utf8", "2.27", "2.36", 3));
        CheckResult result = check("collation-library");
        assertEquals(Verdict.ACTION_REQUIRED, result.verdict());
        assertTrue(result.evidence().contains("en_US recorded 2.27, now 2.36"), result.evidence());
    }

    @Test
    void sequencesWarnFromHalfwayAndNeedActionFromEightyPercentOfTheNarrowerLimit() {
        profile.source.sequences.add(sequence("a_seq", 1_000_000L, Long.MAX_VALUE, "bigint"));
        assertEquals(Verdict.PASS, check("sequence-overflow").verdict());
        // A bigint sequence feeding an int4 column overflows at int4's limit.
        profile.source.sequences.add(sequence("b_seq", 1_100_000_000L, Long.MAX_VALUE, "integer"));
        assertEquals(Verdict.WARNING, check("sequence-overflow").verdict());
        profile.source.sequences.add(sequence("c_seq", 30_000L, Integer.MAX_VALUE, "smallint"));
        CheckResult result = check("sequence-overflow");
        assertEquals(Verdict.ACTION_REQUIRED, result.verdict());
        assertTrue(result.evidence().startsWith("public.c_seq"), "the closest first: " + result.evidence());
    }

    @Test
    void anExtensionTheTargetCannotInstallBlocksOneItCanNeedsAction() {
        profile.source.extensions.add(new DatabaseProfile.Extension("hstore", "1.8"));
        profile.target.availableExtensions.put("hstore", "1.8");
        assertEquals(Verdict.ACTION_REQUIRED, check("missing-extension").verdict());
        profile.source.extensions.add(new DatabaseProfile.Extension("timescaledb", "2.14.2"));
        CheckResult result = check("missing-extension");
        assertEquals(Verdict.BLOCKER, result.verdict());
        assertTrue(result.evidence().contains("timescaledb 2.14.2"), result.evidence());
    }

    @Test
    void anOlderExtensionVersionOnTheTargetWarns() {
        profile.source.extensions.add(new DatabaseProfile.Extension("hstore", "1.8"));
        profile.target.extensions.add(new DatabaseProfile.Extension("hstore", "1.7"));
        assertEquals(Verdict.WARNING, check("missing-extension").verdict());
    }

    @Test
    void deferrableConstraintsWarn() {
        profile.source.deferrable.add(new DatabaseProfile.DeferrableConstraint("public", "ledger", "ledger_fk",
                "foreign-key", true));
        assertEquals(Verdict.WARNING, check("deferrable-constraint").verdict());
    }

    @Test
    void longTransactionsOnEitherSideWarn() {
        profile.target.longTransactions.add(new DatabaseProfile.OpenTransaction(4242, "app", "shop",
                "idle in transaction", "psql", 900, "SELECT $1"));
        CheckResult result = check("long-transactions");
        assertEquals(Verdict.WARNING, result.verdict());
        assertTrue(result.evidence().contains("target pid 4242"), result.evidence());
    }

    @Test
    void anInactiveSlotNeedsActionABusyOneWarns() {
        profile.source.slots.add(new DatabaseProfile.ReplicationSlot("cdc", "logical", "pgoutput", "shop", true,
                2L << 30, "extended"));
        assertEquals(Verdict.WARNING, check("replication-slot-retention").verdict());
        profile.source.slots.add(new DatabaseProfile.ReplicationSlot("old", "physical", null, null, false,
                64L << 20, "reserved"));
        assertEquals(Verdict.ACTION_REQUIRED, check("replication-slot-retention").verdict());
    }

    @Test
    void preparedTransactionsOfOthersWarnExodusOwnDoNot() {
        profile.source.prepared.add(new DatabaseProfile.PreparedTransaction("exodus_p1_7", OffsetDateTime.now(), "app",
                "shop", 3));
        assertEquals(Verdict.PASS, check("prepared-transactions").verdict());
        profile.source.prepared.add(new DatabaseProfile.PreparedTransaction("batch-42", OffsetDateTime.now(), "app",
                "shop", 3600));
        assertEquals(Verdict.WARNING, check("prepared-transactions").verdict());
    }

    @Test
    void largeObjectsNeedActionUnloggedTablesWarn() {
        profile.source.largeObjects = 3;
        assertEquals(Verdict.ACTION_REQUIRED, check("large-objects").verdict());
        profile.source.tables.add(new DatabaseProfile.Table("public", "cache", "table", true, "default", null,
                List.of("k"), null, 1, 8192, 0));
        assertEquals(Verdict.ACTION_REQUIRED, check("unlogged-tables").verdict());
    }

    @Test
    void anOlderTargetMajorVersionBlocks() {
        profile.target.version = "14.12";
        profile.target.versionNumber = 140012;
        assertEquals(Verdict.BLOCKER, check("target-version").verdict());
        profile.target.version = "18.1";
        profile.target.versionNumber = 180001;
        assertEquals(Verdict.WARNING, check("target-version").verdict(), "18 is beyond what Exodus is tested with");
    }

    @Test
    void capturedWritesDrawingValuesWarnPlainInsertsAndAdvisoryLocksDoNot() {
        profile.events = 10;
        profile.functions.add(new WorkloadProfile.FunctionUse("random", 2, 5, "volatile"));
        profile.functions.add(new WorkloadProfile.FunctionUse("pg_advisory_xact_lock", 1, 5, "volatile"));
        profile.volatileStatements.add(statement("aaaaaaaaaaaaaaaa", "INSERT INTO t (v) VALUES (random())", "write",
                "random"));
        profile.volatileStatements.add(statement("bbbbbbbbbbbbbbbb", "SELECT pg_advisory_xact_lock($1)", "write",
                "pg_advisory_xact_lock"));
        assertEquals(Verdict.PASS, check("nondeterministic-statements").verdict());
        profile.volatileStatements.add(statement("cccccccccccccccc",
                "INSERT INTO t (k, v) VALUES ($1, random()) ON CONFLICT (k) DO UPDATE SET v = random()", "write",
                "random"));
        CheckResult result = check("nondeterministic-statements");
        assertEquals(Verdict.WARNING, result.verdict());
        assertTrue(result.evidence().startsWith("1 statement: cccccccccccccccc calls random"), result.evidence());
    }

    private CheckResult check(String key) {
        return Checks.evaluate(profile.build()).stream().filter(result -> result.key().equals(key)).findFirst()
                .orElseThrow();
    }

    private static DatabaseProfile.Sequence sequence(String name, long last, long max, String columnType) {
        return new DatabaseProfile.Sequence("public", name, "bigint", last, 1, max, 1, "t", "id", columnType, "");
    }

    private static WorkloadProfile.StatementStats statement(String fingerprint, String text, String statementClass,
            String function) {
        return new WorkloadProfile.StatementStats(fingerprint, text, statementClass, 5, 500, 100, 5, 0, List.of(),
                List.of(function));
    }
}
