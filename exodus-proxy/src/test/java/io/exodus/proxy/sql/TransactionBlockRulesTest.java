package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransactionBlockRulesTest {

    @Test
    void statementsThatRefuseATransactionBlock() {
        for (String sql : new String[] { "VACUUM pgbench_branches", "vacuum analyze t", "CREATE DATABASE x",
                "drop database if exists x", "CREATE TABLESPACE ts LOCATION '/x'", "ALTER SYSTEM SET work_mem = '8MB'",
                "CREATE INDEX CONCURRENTLY i ON t (a)", "drop index concurrently i", "REINDEX TABLE CONCURRENTLY t",
                "REINDEX DATABASE app", "select 1; vacuum t", "REINDEX SCHEMA public", "reindex system app",
                "REINDEX TABLE partitioned_parent", "CLUSTER", "cluster partitioned_parent using i",
                "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", "drop subscription s",
                "ALTER SUBSCRIPTION s REFRESH PUBLICATION" }) {
            assertTrue(TransactionBlockRules.forbidsTransactionBlock(sql), sql);
        }
    }

    @Test
    void statementsThatRunInOne() {
        for (String sql : new String[] { "CREATE INDEX i ON t (a)", "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
                "create table concurrently_named (a int)", "insert into t values ('vacuum')", "ALTER TABLE t ADD c int",
                "TRUNCATE t", "select \"concurrently\" from t" }) {
            assertFalse(TransactionBlockRules.forbidsTransactionBlock(sql), sql);
        }
    }

    @Test
    void maintenanceWithoutALogicalEffectIsKnown() {
        assertTrue(TransactionBlockRules.isMaintenanceOnly("VACUUM (ANALYZE) t;"));
        assertTrue(TransactionBlockRules.isMaintenanceOnly("reindex index concurrently i"));
        assertTrue(TransactionBlockRules.isMaintenanceOnly("cluster t using i"));
        assertFalse(TransactionBlockRules.isMaintenanceOnly("vacuum t; drop table u"));
        assertFalse(TransactionBlockRules.isMaintenanceOnly("create index concurrently i on t (a)"));
        assertFalse(TransactionBlockRules.isMaintenanceOnly("drop database d"));
    }

    @Test
    void indexStatementsLoseConcurrentlyToRunInATransaction() {
        assertEquals(Optional.of("create index i on t (a)"),
                TransactionBlockRules.inTransactionForm("create index concurrently i on t (a)"));
        assertEquals(Optional.of("CREATE UNIQUE INDEX IF NOT EXISTS i ON s.t (a);"),
                TransactionBlockRules.inTransactionForm("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (a);"));
        assertEquals(Optional.of("drop index if exists i"),
                TransactionBlockRules.inTransactionForm("drop index concurrently if exists i"));
        assertEquals(Optional.of("ALTER TABLE hash_parted2 DETACH PARTITION part_hp ;"),
                TransactionBlockRules.inTransactionForm("ALTER TABLE hash_parted2 DETACH PARTITION part_hp CONCURRENTLY;"));
        assertEquals(Optional.empty(),
                TransactionBlockRules.inTransactionForm("alter table t detach partition p finalize"));
        assertEquals(Optional.empty(), TransactionBlockRules.inTransactionForm("reindex index concurrently i"));
        assertEquals(Optional.empty(), TransactionBlockRules.inTransactionForm("create index i on t (a)"));
        assertEquals(Optional.empty(),
                TransactionBlockRules.inTransactionForm("create index concurrently i on t (a); drop table u"));
    }

    @Test
    void concurrentIndexBuildsLeaveAnIndexWhenTheyFail() {
        assertTrue(TransactionBlockRules.leavesAnIndexWhenItFails("create unique index concurrently i on t (a)"));
        assertTrue(TransactionBlockRules.leavesAnIndexWhenItFails("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)"));
        assertTrue(TransactionBlockRules.leavesAnIndexWhenItFails("reindex index concurrently i"));
        assertTrue(TransactionBlockRules.leavesAnIndexWhenItFails("REINDEX (VERBOSE) TABLE CONCURRENTLY t"));
        assertFalse(TransactionBlockRules.leavesAnIndexWhenItFails("create index i on t (a)"));
        assertFalse(TransactionBlockRules.leavesAnIndexWhenItFails("drop index concurrently i"));
        assertFalse(TransactionBlockRules.leavesAnIndexWhenItFails("reindex table t"));
        assertFalse(TransactionBlockRules.leavesAnIndexWhenItFails("create index concurrently i on t (a); select 1"));
    }
}
