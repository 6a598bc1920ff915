package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemporaryTablesTest {

    @Test
    void everyWayOfCreatingATemporaryTableIsSeen() {
        assertEquals(Set.of("a"), TemporaryTables.createdIn("create temp table a (id int)"));
        assertEquals(Set.of("b"), TemporaryTables.createdIn("CREATE GLOBAL TEMPORARY TABLE IF NOT EXISTS B (id int)"));
        assertEquals(Set.of("c"), TemporaryTables.createdIn("create table pg_temp.c as select 1"));
        assertEquals(Set.of("d"), TemporaryTables.createdIn("select * into temp table d from t"));
        assertEquals(Set.of("e", "f"), TemporaryTables.createdIn(
                "create local temp table e (x int) on commit drop; select 1 into temporary f"));
        assertEquals(Set.of("point_tbl"), TemporaryTables.createdIn("CREATE TEMP TABLE point_tbl AS SELECT * FROM public.point_tbl"));
    }

    @Test
    void permanentTablesAreNot() {
        assertEquals(Set.of(), TemporaryTables.createdIn("create table a (id int)"));
        assertEquals(Set.of(), TemporaryTables.createdIn("create unlogged table a (id int)"));
        assertEquals(Set.of(), TemporaryTables.createdIn("create table public.a (id int); select 'create temp table x'"));
        assertEquals(Set.of(), TemporaryTables.createdIn("insert into t select * from temp"));
    }

    @Test
    void anyMentionOfATemporaryTableIsSeen() {
        Set<String> temporary = Set.of("point_tbl");
        assertEquals(Optional.of("point_tbl"), TemporaryTables.mentionedIn("insert into point_tbl values (1)", temporary));
        assertEquals(Optional.of("point_tbl"),
                TemporaryTables.mentionedIn("CREATE INDEX gpointind ON point_tbl USING gist (f1)", temporary));
        assertEquals(Optional.of("point_tbl"), TemporaryTables.mentionedIn("ALTER TABLE Point_Tbl ADD c int", temporary));
        assertEquals(Optional.of("point_tbl"),
                TemporaryTables.mentionedIn("update t set v = point_tbl.f1 from point_tbl", temporary));
        assertEquals(Optional.of("pg_temp.anything"),
                TemporaryTables.mentionedIn("delete from pg_temp.anything", Set.of()));
        assertEquals(Optional.empty(), TemporaryTables.mentionedIn("insert into public.point_tbl values (1)", temporary));
        assertEquals(Optional.empty(), TemporaryTables.mentionedIn("insert into other values ('point_tbl')", temporary));
    }

    @Test
    void aDroppedTemporaryTableNoLongerShadowsThePermanentOne() {
        Set<String> names = new java.util.HashSet<>();
        TemporaryTables.track("create temp table temptest (col int)", names);
        TemporaryTables.track("create temp table other (col int)", names);
        assertEquals(Set.of("temptest", "other"), names);
        TemporaryTables.track("drop table if exists public.other, temptest", names);
        assertEquals(Set.of("other"), names, "public.other is the permanent one; temptest was the temporary one");
        TemporaryTables.track("drop table pg_temp.other; create temp table again (x int)", names);
        assertEquals(Set.of("again"), names);
        TemporaryTables.track("drop table again; create temp table again (y int)", names);
        assertEquals(Set.of("again"), names, "in the order of the statements");
    }

    @Test
    void aRenamedTemporaryTableIsFollowedUnderItsNewName() {
        Set<String> names = new java.util.HashSet<>();
        TemporaryTables.track("CREATE TABLE attmp (regtable int); CREATE TEMP TABLE attmp (attmptable int)", names);
        TemporaryTables.track("ALTER TABLE attmp RENAME TO attmp_new", names);
        assertEquals(Set.of("attmp_new"), names, "attmp is the permanent table again");
        TemporaryTables.track("ALTER TABLE attmp RENAME TO attmp_new2", names);
        assertEquals(Set.of("attmp_new"), names, "a permanent table's rename changes nothing");
        TemporaryTables.track("DROP TABLE attmp_new", names);
        assertEquals(Set.of(), names);
    }

    /**
     * An index made on a temporary table lives in the session's pg_temp too: the regression suite's DROP INDEX of one
     * was queued while its CREATE INDEX was not, and the replay stopped at the index the target never had.
     */
    @Test
    void anIndexOfATemporaryTableIsTemporaryToo() {
        Set<String> names = new java.util.HashSet<>();
        TemporaryTables.track("create temp table patest2 (id int)", names);
        TemporaryTables.track("create index patest2i on patest2(id); create unique index concurrently if not exists "
                + "u on only pg_temp.other (id); create index permanent_i on patest1(id)", names);
        assertEquals(Set.of("patest2", "patest2i", "u"), names);
        assertEquals(Optional.of("patest2i"), TemporaryTables.mentionedIn("drop index patest2i", names));
        TemporaryTables.track("drop index concurrently patest2i", names);
        assertEquals(Set.of("patest2", "u"), names);
        assertEquals(Set.of(), TemporaryTables.createdIn("create index i on patest2(id)"),
                "an index does not make the statement create a temporary table");
    }

    /** The regression suite's DROP TABLE of a temporary and a permanent table: the queue replays the permanent part. */
    @Test
    void aDropOfTemporaryAndPermanentTablesKeepsThePermanentPartForTheQueue() {
        Set<String> temporary = Set.of("concur_temp_tab_1", "concur_temp_tab_2", "temp_parted");
        assertEquals(Optional.of("DROP TABLE reindex_temp_before;"), TemporaryTables.permanentPart(
                "DROP TABLE concur_temp_tab_1, concur_temp_tab_2, reindex_temp_before;", temporary));
        assertEquals(Optional.of("drop table if exists public.temp_parted, perm_part cascade"),
                TemporaryTables.permanentPart("drop table if exists temp_parted, public.temp_parted, perm_part, "
                        + "pg_temp.x cascade", temporary));
        assertEquals(Optional.empty(), TemporaryTables.permanentPart("drop table temp_parted", temporary));
        assertEquals(Optional.empty(), TemporaryTables.permanentPart("drop table perm_part", temporary));
        assertEquals(Optional.empty(), TemporaryTables.permanentPart("drop view temp_parted, v", temporary));
        assertEquals(Optional.empty(), TemporaryTables.permanentPart("drop table temp_parted, v; select 1",
                temporary));
    }

    /**
     * Temporary views and sequences, and a view PostgreSQL makes temporary because it reads a temporary table: later
     * statements name them as plainly (the regression suite under two-phase-commit: PREPARE refused for them).
     */
    @Test
    void temporaryViewsAndSequencesAreFollowedToo() {
        Set<String> names = new java.util.HashSet<>();
        TemporaryTables.track("CREATE TEMP VIEW voo AS SELECT f1, f2 FROM foo; create temp sequence myseq3; "
                + "create or replace temporary recursive view r (n) as select 1", names);
        assertEquals(Set.of("voo", "myseq3", "r"), names);
        TemporaryTables.track("create temp table empsalary (a int)", names);
        TemporaryTables.track("create view v_window as select a from empsalary; create view plain as select 1; "
                + "create view s.v2 as select a from empsalary", names);
        assertEquals(Set.of("voo", "myseq3", "r", "empsalary", "v_window"), names);
        TemporaryTables.track("drop view voo; drop sequence myseq3", names);
        assertEquals(Set.of("r", "empsalary", "v_window"), names);
    }
}
