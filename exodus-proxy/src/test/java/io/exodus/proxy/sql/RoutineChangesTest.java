package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutineChangesTest {

    @Test
    void ddlOfFunctionsProceduresAndExtensionsAndDoBlocksMayChangeFunctions() {
        for (String sql : new String[] {"create or replace function f() returns int volatile language sql as 'select 1'",
            "CREATE FUNCTION s.f(int) RETURNS void LANGUAGE plpgsql AS $$ begin end $$",
            "alter function f() volatile", "ALTER ROUTINE f() IMMUTABLE", "create procedure p() language sql as ''",
            "alter extension postgis update", "create extension if not exists pgcrypto", "drop function f()",
            "do $$ begin execute 'create function g() returns int language sql as ''select 1'''; end $$",
            "select 1; create or replace function f() returns int language sql as 'select 2'"}) {
            assertTrue(RoutineChanges.mayChangeFunctions(sql), sql);
        }
    }

    @Test
    void otherStatementsDoNot() {
        for (String sql : new String[] {"select f()", "insert into t values ('create function')",
            "create table t (id int)", "alter table t add column c text", "select 'do'",
            "select * from function_calls", "update t set language = 'sql'"}) {
            assertFalse(RoutineChanges.mayChangeFunctions(sql), sql);
        }
    }

    @Test
    void aDoBlockIsSeenWithoutLexing() {
        assertTrue(RoutineChanges.mayBeDoBlock("  DO $$ begin end $$"));
        assertTrue(RoutineChanges.mayBeDoBlock("do\n$$ begin end $$"));
        assertTrue(RoutineChanges.mayBeDoBlock("do language plpgsql $$ begin end $$"));
        assertFalse(RoutineChanges.mayBeDoBlock("domain_check()"));
        assertFalse(RoutineChanges.mayBeDoBlock("select 1"));
        assertFalse(RoutineChanges.mayBeDoBlock("do_it"));
    }
}
