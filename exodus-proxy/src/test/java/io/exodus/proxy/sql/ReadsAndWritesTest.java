package io.exodus.proxy.sql;

import static io.exodus.proxy.sql.StatementKind.COPY_IN;
import static io.exodus.proxy.sql.StatementKind.COPY_OUT;
import static io.exodus.proxy.sql.StatementKind.DDL;
import static io.exodus.proxy.sql.StatementKind.READ;
import static io.exodus.proxy.sql.StatementKind.SESSION;
import static io.exodus.proxy.sql.StatementKind.UNKNOWN;
import static io.exodus.proxy.sql.StatementKind.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadsAndWritesTest {

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    private void assertKind(StatementKind expected, String... statements) {
        for (String sql : statements) {
            assertEquals(expected, classifier.classify(sql).kind(), sql);
        }
    }

    @Test
    void queriesAreReads() {
        assertKind(READ,
                "select 1",
                "SELECT a, b FROM t WHERE id = $1 ORDER BY a LIMIT 10",
                "values (1, 2), (3, 4)",
                "table accounts",
                "(select 1) union (select 2)",
                "with x as (select 1) select * from x",
                "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r",
                "show search_path",
                "fetch 10 from c",
                "move forward 5 in c",
                "close c",
                "declare c cursor with hold for select * from t");
    }

    @Test
    void emptyTextAndOnlyCommentsAreReads() {
        assertKind(READ, "", "   ", "-- nothing", "/* nothing /* at all */ */", ";", " ; ;; ");
        assertEquals(1, classifier.classify("").statements().size());
    }

    @Test
    void dataModifyingStatementsAreWrites() {
        assertKind(WRITE,
                "insert into t values (1)",
                "INSERT INTO t (a) SELECT a FROM u ON CONFLICT (a) DO NOTHING",
                "update t set a = 1 where id = 2",
                "delete from t where id = 3",
                "merge into t using s on t.id = s.id when matched then update set a = s.a",
                "call transfer(1, 2, 100)",
                "do $$ begin perform 1; end $$",
                "truncate t",
                "lock table t in access exclusive mode",
                "notify channel, 'payload'");
    }

    @Test
    void writingCteIsAWrite() {
        assertKind(WRITE,
                "with x as (delete from t where id = 1 returning *) select * from x",
                "WITH x AS MATERIALIZED (INSERT INTO log VALUES (1) RETURNING id) SELECT id FROM x",
                "with x as (update t set a = 1 returning *) select count(*) from x",
                "with x as (merge into t using s on t.id = s.id when matched then delete returning *) select 1",
                "with x as (select 1) insert into t select * from x",
                "with x as (select 1) update t set a = 2",
                "with x as (select 1), y as (select 2) delete from t");
    }

    @Test
    void aColumnOrAliasThatMerelyLooksLikeAVerbIsARead() {
        assertKind(READ, "select t.update, t.delete from t", "select insert.x from t as insert");
    }

    @Test
    void selectIntoCreatesATableSoItIsAWrite() {
        assertKind(WRITE, "select * into new_table from t", "select a into temp t2 from t");
    }

    @Test
    void lockingReadsAreWritesSoThatBothLegsTakeTheLocks() {
        for (String sql : new String[] {"select * from t for update", "select * from t where id = 1 FOR NO KEY UPDATE",
            "select * from t for share skip locked", "select * from t for key share of t nowait"}) {
            Classification classification = classifier.classify(sql);
            assertEquals(WRITE, classification.kind(), sql);
            assertTrue(classification.locking(), sql);
        }
        assertFalse(classifier.classify("select substring(s from 1 for 2) from t").locking());
        assertKind(READ, "select substring(s from 1 for 2) from t");
        assertTrue(classifier.classify("declare c cursor for select * from t for update").locking());
    }

    @Test
    void sequenceAndOtherAlwaysWritingFunctionsMakeAReadAWriteWithoutAnyCatalog() {
        assertKind(WRITE,
                "select nextval('s')",
                "SELECT pg_catalog.setval('s', 10)",
                "select pg_advisory_lock(42)",
                "select pg_try_advisory_xact_lock(1, 2)",
                "select lo_create(0)",
                "select pg_notify('c', 'p')",
                "values (nextval('s'))",
                "select * from t where id = (select nextval('s'))");
        assertKind(SESSION, "select set_config('search_path', 'app', false)");
        assertKind(READ, "select random(), now(), currval('s')", "select \"nextval\" from t");
        // Local to the server that answers: never mirrored.
        assertKind(READ, "select txid_current()", "select pg_current_xact_id()", "select txid_status(1)",
                "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'x'");
    }

    @Test
    void explainRunsItsStatementOnlyWithAnalyze() {
        assertKind(READ,
                "explain delete from t",
                "explain verbose insert into t values (1)",
                "explain (costs off) update t set a = 1",
                "explain (analyze false) delete from t",
                "explain (analyze off, costs off) delete from t",
                "explain (analyze 0) delete from t",
                "explain select nextval('s')",
                "explain analyze select * from t",
                "explain (analyze) select 1");
        assertKind(WRITE,
                "explain analyze delete from t",
                "EXPLAIN ANALYSE VERBOSE INSERT INTO t VALUES (1)",
                "explain (analyze) update t set a = 1",
                "explain (analyze true, buffers) update t set a = 1",
                "explain (costs off, analyze on) delete from t",
                "explain (analyze 'true') delete from t",
                "explain analyze select nextval('s')",
                "explain analyze with x as (delete from t returning *) select * from x");
        assertKind(DDL, "explain analyze create table t2 as select 1");
        assertKind(UNKNOWN, "explain analyze execute p(1)");
    }

    @Test
    void schemaChangesAreDdl() {
        assertKind(DDL,
                "create table t (id bigserial primary key, at timestamptz default now())",
                "create table t2 as select * from t",
                "CREATE TEMP TABLE t3 (a int)",
                "create or replace function f() returns int language sql as $$ select 1 $$",
                "alter table t add column b int",
                "drop table t",
                "comment on table t is 'accounts'",
                "grant select on t to app",
                "revoke all on t from app",
                "reindex table t",
                "cluster t using t_pkey",
                "vacuum (analyze) t",
                "analyze t",
                "refresh materialized view concurrently mv",
                "security label for selinux on table t is 'label'",
                "import foreign schema remote from server s into local",
                "reassign owned by a to b");
    }

    @Test
    void copyFromIsCopyInAndCopyToIsCopyOut() {
        assertKind(COPY_IN, "copy t from stdin", "COPY t (a, b) FROM STDIN WITH (FORMAT csv)",
                "copy binary t from stdin", "copy public.t from '/tmp/x' where a > 1");
        assertKind(COPY_OUT, "copy t to stdout", "COPY t (a) TO STDOUT (FORMAT binary)",
                "copy (select * from t where a in (select a from u)) to stdout",
                "copy (select 1 from t) to stdout with csv");
    }

    @Test
    void copyOfAWritingQueryIsAsWriteLikeAsTheQuery() {
        assertKind(WRITE, "copy (delete from t returning *) to stdout", "copy (select nextval('s')) to stdout");
    }

    @Test
    void commentsAndQuotesNeverHideOrInventAWrite() {
        assertKind(READ,
                "select '; delete from t'",
                "/* delete */ select 1",
                "select 1 -- ; delete from t",
                "select $$ update t $$",
                "select $fn$ ; insert into t values (1); $fn$",
                "select \"update\" from t",
                "select \"delete\", \"insert\" from \"into\"",
                "select E'\\'; delete from t; --'",
                "select 'nextval(''s'')'",
                "select U&'\\0064elete' from t");
        assertKind(WRITE,
                "/* select */ delete from t",
                "-- select\ndelete from t",
                "/* a /* nested */ select */ delete from t",
                "select 1; /* ; */ delete from t",
                "select $1::text; delete from t where id = $2",
                "select $tag$ x $tag$; delete from t");
    }

    @Test
    void standardConformingStringsOffChangesWhereAStringEnds() {
        // With standard_conforming_strings = off the backslash escapes the quote and the DELETE is inside the string.
        String sql = "select 'a\\'; delete from t; --'";
        assertEquals(WRITE, classifier.classify(sql, true).kind());
        assertEquals(READ, classifier.classify(sql, false).kind());
    }

    @Test
    void anythingElseIsUnknown() {
        assertKind(UNKNOWN, "checkpoint", "frobnicate the database", "\"select\" 1", "(", "42", "$1");
    }
}
