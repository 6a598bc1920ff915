package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NondeterministicValuesTest {

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    private String first(String sql) {
        return NondeterministicValues.firstIn(sql, classifier.classify(sql));
    }

    @Test
    void clockRandomnessAndSequencesAreFound() {
        assertEquals("now()", first("update t set at = now() where id = 1"));
        assertEquals("now()", first("UPDATE t SET at = pg_catalog.NOW() WHERE id = 1"));
        assertEquals("random()", first("delete from t where random() < 0.1"));
        assertEquals("gen_random_uuid()", first("update t set token = gen_random_uuid()"));
        assertEquals("nextval()", first("update t set n = nextval('s')"));
        assertEquals("clock_timestamp()", first("update t set at = clock_timestamp()"));
        assertEquals("CURRENT_TIMESTAMP", first("update t set at = CURRENT_TIMESTAMP"));
        assertEquals("LOCALTIMESTAMP", first("update t set at = localtimestamp where id = 2"));
        assertEquals("CURRENT_DATE", first("delete from t where day < current_date - 30"));
    }

    /** The date and time input functions read these words as the clock: CREATE TABLE tab_core_types AS SELECT 'now'::time. */
    @Test
    void wordsThatDateAndTimeTypesReadAsTheClockAreFound() {
        assertEquals("'now'", first("create table c as select 'now'::time, '12 seconds'::interval"));
        assertEquals("'today'", first("update t set day = date ' Today ' where id = 1"));
        assertEquals("'tomorrow'", first("insert into t select cast('tomorrow' as timestamptz)"));
        assertEquals("'yesterday'", first("delete from t where at < 'YESTERDAY'"));
        assertNull(first("update t set note = 'it is now' where id = 1"));
        assertNull(first("update t set note = 'epoch'::timestamp, known = 'nowhere'"));
    }

    @Test
    void quotedTextAndNamesThatOnlyLookLikeThemAreNot() {
        assertNull(first("update t set note = 'now() is current_timestamp' where id = 1"));
        assertNull(first("update t set \"current_timestamp\" = 1"));
        assertNull(first("update t set balance = balance + 1 where id = $1"));
        assertNull(first("update t set note = $$random()$$"));
        assertNull(first("update t set current_total = 3"));
    }

    /**
     * PostgreSQL's identity test: UPDATE … SET a = DEFAULT drew the next identity on each database, and the target
     * ended with other values than the source, uncounted.
     */
    @Test
    void anUpdateThatSetsAColumnToItsDefaultIsFound() {
        assertEquals("SET … = DEFAULT", first("UPDATE itest1 SET a = DEFAULT WHERE a = 2"));
        assertEquals("SET … = DEFAULT", first("update t set (a, b) = (default, 1)"));
        assertEquals("SET … = DEFAULT", first("insert into t values (1) on conflict (id) do update set at = default"));
        assertNull(first("update t set note = 'default' where id = 1"));
        assertNull(first("update t set \"default\" = 1"));
        assertNull(first("alter table t alter column a set default 5"));
    }
}
