package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class FunctionCallsTest {

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    private List<String> calls(String sql) {
        return classifier.classify(sql).functionCalls();
    }

    @Test
    void namesFollowedByAParenthesisAreCalls() {
        assertEquals(List.of("now", "coalesce", "lower", "count"),
                calls("select now(), coalesce(a, b), Lower(name), count(*) from t"));
        assertEquals(List.of("f", "g"), calls("select f(g(1)), f(2) from t where x = any(array[1])"));
        assertEquals(List.of("h"), calls("select * from t order by h(x)"));
    }

    @Test
    void qualifiedNamesKeepTheirSchemaAndQuotedNamesTheirCase() {
        assertEquals(List.of("pg_catalog.nextval", "app.MyFunc", "a.b.c"),
                calls("select pg_catalog.nextval('s'), app.\"MyFunc\"(1), A.B.c()"));
    }

    @Test
    void syntaxThatTakesParenthesesIsNotACall() {
        assertEquals(List.of(), calls("select * from t where a in (1, 2) and exists (select 1) and b = any ($1)"));
        assertEquals(List.of(), calls("values (1), (2)"));
        assertEquals(List.of(), calls("select cast(x as numeric(10, 2)), y::varchar(3), z::character varying(4) from t"));
        assertEquals(List.of(), calls("select * from (select 1) s(a) join u using (a)"));
        assertEquals(List.of("generate_series"), calls("select i from generate_series(1, 3) as g(i)"));
        assertEquals(List.of("generate_series"), calls("select i from generate_series(1, 3) g(i)"));
        assertEquals(List.of("count"), calls("select count(*) filter (where a) over (partition by b) from t"));
    }

    @Test
    void relationsAndTheirColumnListsAreNotCalls() {
        assertEquals(List.of(), calls("insert into t (a, b) values (1, 2)"));
        assertEquals(List.of("now"), calls("insert into app.t (a) values (now())"));
        assertEquals(List.of(), calls("copy t (a, b) from stdin"));
        assertEquals(List.of(), calls("create table t (a numeric(10, 2) references u (id))"));
    }

    @Test
    void theNamesOfWithQueriesAreNotCalls() {
        assertEquals(List.of("f"),
                calls("with a (x) as (select 1), b (y) as materialized (select f(2)) select * from a, b"));
        assertEquals(List.of("g"), calls("with recursive r(n) as (select 1) select * from r, g(1) as (z int)"));
    }

    @Test
    void explainWithoutAnalyzeCallsNothing() {
        assertEquals(List.of(), calls("explain select nextval('s')"));
        assertEquals(List.of("nextval"), calls("explain analyze select nextval('s')"));
    }

    @Test
    void everyStatementOfATextContributesItsCalls() {
        assertEquals(List.of("f", "g"), calls("select f(1); select g(2), f(3)"));
    }
}
