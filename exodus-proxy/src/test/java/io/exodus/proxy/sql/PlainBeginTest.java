package io.exodus.proxy.sql;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlainBeginTest {

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "BEGIN;", "begin ;\n", "  Begin  Work", "BEGIN TRANSACTION;", "START TRANSACTION",
            "begin;;"})
    void aBeginWithoutOptionsCannotFail(String sql) {
        assertTrue(PlainBegin.is(sql), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN READ ONLY", "START TRANSACTION READ WRITE",
            "BEGIN; UPDATE t SET x = 1", "/* c */ BEGIN", "BEGIN -- c", "BEGINX", "BEGIN TRANSACTION ISOLATION LEVEL x",
            "COMMIT", "", ";"})
    void anythingElseIsNotPlain(String sql) {
        assertFalse(PlainBegin.is(sql), sql);
    }
}
