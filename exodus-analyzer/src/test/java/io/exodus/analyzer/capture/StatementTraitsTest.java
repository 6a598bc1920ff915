package io.exodus.analyzer.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementTraitsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "SET search_path = app, public|SET",
            "RESET ALL|SET",
            "SET LOCAL statement_timeout = $1|",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE|",
            "PREPARE q (int) AS SELECT $1|PREPARE",
            "PREPARE TRANSACTION 'gid'|",
            "CREATE TEMP TABLE scratch (id int)|TEMP_TABLE",
            "CREATE GLOBAL TEMPORARY TABLE scratch (id int)|TEMP_TABLE",
            "SELECT * INTO TEMP scratch FROM t|TEMP_TABLE",
            "LISTEN orders|LISTEN",
            "SELECT pg_try_advisory_xact_lock($1)|ADVISORY_LOCK",
            "COPY t FROM STDIN|COPY",
            "SELECT 'set temp table listen' FROM settings|",
    })
    void recognisesSessionBehaviour(String sql, String feature) {
        Set<SessionFeature> expected = feature == null ? Set.of() : Set.of(SessionFeature.valueOf(feature));
        assertEquals(expected, StatementTraits.of(sql).features());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "UPDATE t SET v = random() * $1 WHERE id IN ($2, $3)|random",
            "INSERT INTO t (id, at) VALUES (gen_random_uuid(), now())|gen_random_uuid,now",
            "SELECT count(*) FROM t WHERE EXISTS (SELECT 1) AND x = ANY ($1)|count",
            "SELECT pg_catalog.lower(name) FROM t|lower",
            "CREATE TABLE IF NOT EXISTS app.t (id numeric(10, 2), PRIMARY KEY (id))|",
            "WITH moved (id) AS (DELETE FROM t RETURNING id) INSERT INTO app.archive (id) SELECT id FROM moved|",
            "SELECT * FROM generate_series(1, $1) AS g (n)|generate_series",
    })
    void findsTheFunctionsAStatementCalls(String sql, String functions) {
        Set<String> expected = functions == null ? Set.of() : Set.of(functions.split(","));
        assertEquals(expected, StatementTraits.of(sql).functions());
    }
}
