package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.util.Map;

/** The keyword table and the classifier agree on every word: a plain statement starting with it has the word's kind. */
class LeadingWordsTest {
    private static final Map<String, String> PLAIN_STATEMENTS = Map.ofEntries(
            Map.entry("select", "select 1"), Map.entry("values", "values (1)"), Map.entry("table", "table t"),
            Map.entry("show", "show work_mem"), Map.entry("explain", "explain select 1"), Map.entry("fetch", "fetch c"),
            Map.entry("move", "move c"), Map.entry("close", "close c"),
            Map.entry("declare", "declare c cursor for select 1"), Map.entry("with", "with a as (select 1) table a"),
            Map.entry("insert", "insert into t values (1)"), Map.entry("update", "update t set a = 1"),
            Map.entry("delete", "delete from t"), Map.entry("merge", "merge into t using s on true when matched then delete"),
            Map.entry("call", "call p()"), Map.entry("do", "do $$begin end$$"), Map.entry("truncate", "truncate t"),
            Map.entry("lock", "lock t"), Map.entry("notify", "notify c"), Map.entry("copy", "copy t from stdin"),
            Map.entry("create", "create table t (a int)"), Map.entry("alter", "alter table t add b int"),
            Map.entry("drop", "drop table t"), Map.entry("comment", "comment on table t is 'x'"),
            Map.entry("grant", "grant select on t to u"), Map.entry("revoke", "revoke select on t from u"),
            Map.entry("security", "security label on table t is 'x'"),
            Map.entry("import", "import foreign schema s from server f into public"),
            Map.entry("reassign", "reassign owned by a to b"), Map.entry("reindex", "reindex table t"),
            Map.entry("cluster", "cluster t"), Map.entry("vacuum", "vacuum t"), Map.entry("analyze", "analyze t"),
            Map.entry("analyse", "analyse t"), Map.entry("refresh", "refresh materialized view v"),
            Map.entry("begin", "begin"), Map.entry("start", "start transaction"),
            Map.entry("commit", "commit"), Map.entry("end", "end"), Map.entry("rollback", "rollback"),
            Map.entry("abort", "abort"), Map.entry("savepoint", "savepoint s"), Map.entry("release", "release s"),
            Map.entry("set", "set work_mem = '4MB'"), Map.entry("reset", "reset work_mem"),
            Map.entry("discard", "discard temp"), Map.entry("listen", "listen c"), Map.entry("unlisten", "unlisten c"),
            Map.entry("load", "load 'x'"), Map.entry("deallocate", "deallocate q"),
            Map.entry("prepare", "prepare q as select 1"));

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    @Test
    void everyWordOfTheTableClassifiesAsItsKind() {
        assertEquals(PLAIN_STATEMENTS.keySet(), LeadingWords.all().keySet(), "a plain statement for every word");
        LeadingWords.all().forEach((word, kind) ->
                assertEquals(kind, classifier.classify(PLAIN_STATEMENTS.get(word)).kind(), PLAIN_STATEMENTS.get(word)));
    }
}
