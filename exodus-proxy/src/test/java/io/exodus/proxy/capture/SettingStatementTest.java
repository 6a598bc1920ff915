package io.exodus.proxy.capture;

import io.exodus.capture.SessionSettings;
import io.exodus.proxy.wire.StartupOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A statement's effect on its session's settings, read as PostgreSQL's grammar reads it. */
class SettingStatementTest {

    @Test
    void aSetGivesTheValueAsSetConfigTakesIt() {
        assertEquals(assign("search_path", "app, public"), only("SET search_path TO app, public"));
        assertEquals(assign("search_path", "\"My Schema\", public"), only("set SEARCH_PATH = \"My Schema\", 'public'"));
        assertEquals(assign("search_path", "\"$user\", public"), only("SET search_path = '$user', public"));
        assertEquals(assign("datestyle", "SQL, DMY"), only("SET DateStyle = 'SQL, DMY'"));
        assertEquals(assign("extra_float_digits", "-3"), only("SET extra_float_digits = -3"));
        assertEquals(assign("work_mem", "64MB"), only("SET SESSION work_mem = '64MB'"));
        assertEquals(assign("enable_seqscan", "off"), only("SET enable_seqscan TO off"));
        assertEquals(assign("app.tenant", "it's"), only("SET app.tenant = E'it\\'s'"));
        assertEquals(assign("app.tenant", "x"), only("SET \"App\".tenant = $$x$$"));
        assertEquals(new SettingChange.Assign("work_mem", "1GB", true), only("SET LOCAL work_mem = '1GB'"));
    }

    @Test
    void theSpecialFormsNameTheirSetting() {
        assertEquals(assign("timezone", "Europe/Paris"), only("SET TIME ZONE 'Europe/Paris'"));
        assertEquals(assign("timezone", "-7"), only("SET TIME ZONE -7"));
        assertEquals(new SettingChange.Reset("timezone"), only("SET TIME ZONE LOCAL"));
        assertEquals(assign("timezone", SessionSettings.UNREADABLE),
                only("SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE"));
        assertEquals(assign("search_path", "app"), only("SET SCHEMA 'app'"));
        assertEquals(assign("xmloption", "content"), only("SET XML OPTION CONTENT"));
        assertEquals(new SettingChange.Reset("work_mem"), only("SET work_mem TO DEFAULT"));
        assertEquals(new SettingChange.Reset("timezone"), only("RESET TIME ZONE"));
        assertEquals(new SettingChange.Reset("search_path"), only("reset search_path"));
        assertEquals(new SettingChange.ResetAll(), only("RESET ALL"));
        assertEquals(new SettingChange.ResetAll(), only("DISCARD ALL"));
    }

    @Test
    void setConfigWithALiteralNameIsReadAndAValueItCannotReadIsMarked() {
        assertEquals(List.of(assign("app.tenant", "42")),
                SettingStatement.changes("SELECT pg_catalog.set_config('app.tenant', '42', false)"));
        assertEquals(List.of(new SettingChange.Assign("search_path", "x", true)),
                SettingStatement.changes("select set_config('search_path', 'x', true)"));
        assertEquals(List.of(assign("app.tenant", SessionSettings.UNREADABLE)),
                SettingStatement.changes("SELECT set_config('app.tenant', $1, false)"));
        assertEquals(List.of(), SettingStatement.changes("SELECT set_config($1, $2, false)"));
    }

    @Test
    void whatIsNoSettingOfTheStatementsChangesNothing() {
        for (String sql : List.of("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET ROLE reporting",
                "SET SESSION AUTHORIZATION alice", "SET NAMES 'UTF8'", "SET CONSTRAINTS ALL DEFERRED",
                "RESET ROLE", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SELECT 1")) {
            assertEquals(List.of(), SettingStatement.changes(sql), sql);
        }
    }

    @Test
    void startUpOptionsAreReadAsTheServerSplitsThem() {
        assertEquals(Map.of("search_path", "a b", "geqo", "off", "statement_timeout", "5s"),
                StartupOptions.settings("-c search_path=a\\ b --geqo=off -cstatement-timeout=5s -B 10"));
    }

    @Test
    void onlyATextThatMayChangeASettingIsKeptWhenItsStatementIsNotCaptured() {
        assertTrue(SettingStatement.mayChangeSettings("  set search_path = a"));
        assertTrue(SettingStatement.mayChangeSettings("BEGIN; SET LOCAL work_mem = '1GB'; SELECT 1"));
        assertTrue(SettingStatement.mayChangeSettings("select set_config('a.b', 'c', false)"));
        assertFalse(SettingStatement.mayChangeSettings("SELECT * FROM t OFFSET 5"));
    }

    private static SettingChange only(String sql) {
        List<SettingChange> changes = SettingStatement.changes(sql);
        assertEquals(1, changes.size(), sql);
        return changes.get(0);
    }

    private static SettingChange assign(String name, String value) {
        return new SettingChange.Assign(name, value, false);
    }
}
