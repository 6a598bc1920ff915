package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

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
}
