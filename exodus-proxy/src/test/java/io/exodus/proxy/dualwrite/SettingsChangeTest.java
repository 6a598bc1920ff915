package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.FunctionVolatility;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which statements change the settings a queued transaction's entry carries (see QueueHandoff#beforeRequest). */
class SettingsChangeTest {
    private final ClassificationCache classifications = new ClassificationCache(FunctionVolatility.withoutCatalog());

    @Test
    void setResetDiscardAndSetConfigChangeSettings() {
        assertTrue(changes("SET search_path = other"));
        assertTrue(changes("set local search_path to other, public"));
        assertTrue(changes("RESET search_path"));
        assertTrue(changes("DISCARD ALL"));
        assertTrue(changes("select pg_catalog.set_config('search_path', 'other', true)"));
        assertTrue(changes("insert into t values (1); set timezone = 'UTC'"));
    }

    @Test
    void writesReadsAndPreparedStatementsDoNot() {
        assertFalse(changes("insert into t values (1)"));
        assertFalse(changes("select current_setting('search_path')"));
        assertFalse(changes("PREPARE p AS SELECT 1"));
        assertFalse(changes("update t set v = 'set search_path'"));
    }

    private boolean changes(String sql) {
        return QueueHandoff.changesSettings(classifications.classify(sql));
    }
}
