package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SettingAssignmentsTest {

    @Test
    void plainAssignmentsOfValuesReplayAnywhere() {
        for (String sql : List.of("SET search_path = elsewhere, public", "set local lock_timeout to '5s'",
                "SET SESSION work_mem = 65536;", "/* why */ SET app.tenant TO 'a'; SET LOCAL \"app\".\"x\" = 1",
                "SET statement_timeout TO 'default'")) {
            assertTrue(SettingAssignments.only(sql), sql);
        }
    }

    @Test
    void resetsAreNamedWhateverTheirForm() {
        assertEquals(Set.of("search_path"), SettingAssignments.resets("RESET search_path"));
        assertEquals(Set.of("app.tenant", "work_mem"), SettingAssignments.resets(
                "reset \"app\".\"tenant\"; SET LOCAL work_mem TO DEFAULT; INSERT INTO t VALUES (1)"));
        assertEquals(Set.of("timezone"), SettingAssignments.resets("SET TIME ZONE LOCAL"));
        assertEquals(Set.of("timezone"), SettingAssignments.resets("reset time zone"));
        assertEquals(Set.of("datestyle"), SettingAssignments.resets("set DateStyle = default"));
        assertEquals(Set.of(SettingAssignments.ALL), SettingAssignments.resets("RESET ALL"));
    }

    @Test
    void changedNamesWhatSetAndResetStatementsChange() {
        assertEquals(Set.of("app.tenant", "audit.actor", "search_path", "timezone", "work_mem"),
                SettingAssignments.changed("/* why */ SET app.Tenant = 'a'; set local \"audit\".\"actor\" to 'b'; "
                        + "RESET search_path; SET TIME ZONE 'UTC'; SET work_mem TO DEFAULT; INSERT INTO t VALUES (1)"));
        for (String sql : List.of("SET ROLE app", "SET SESSION AUTHORIZATION app", "RESET ROLE",
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET CONSTRAINTS ALL DEFERRED",
                "UPDATE t SET a.b = 1", "SELECT 'x; SET a.b = 1'", "")) {
            assertEquals(Set.of(), SettingAssignments.changed(sql), sql);
        }
    }

    @Test
    void assignmentsAndTheSessionsRoleResetNothing() {
        for (String sql : List.of("SET search_path = elsewhere, public", "SET work_mem TO 'default'",
                "SET search_path TO default, public", "RESET ROLE", "RESET SESSION AUTHORIZATION",
                "SET TIME ZONE 'UTC'", "SELECT set_config('a.b', 'c', false)", "UPDATE t SET a = DEFAULT", "")) {
            assertEquals(Set.of(), SettingAssignments.resets(sql), sql);
        }
    }

    @Test
    void whatGoesBackToTheConnectionsOwnValuesOrHasAFormOfItsOwnDoesNot() {
        for (String sql : List.of("RESET search_path", "RESET ALL", "DISCARD ALL", "SET search_path TO DEFAULT",
                "set local work_mem = default", "SET ROLE app", "SET SESSION AUTHORIZATION app", "SET TIME ZONE 'UTC'",
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET CONSTRAINTS ALL DEFERRED",
                "SET search_path = a; INSERT INTO t VALUES (1)", "SELECT set_config('a.b', 'c', false)", "SET x",
                "", ";")) {
            assertFalse(SettingAssignments.only(sql), sql);
        }
    }
}
