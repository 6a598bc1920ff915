package io.exodus.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlNormalizerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "SELECT abalance FROM pgbench_accounts WHERE aid = 42|SELECT abalance FROM pgbench_accounts WHERE aid = $1",
            "UPDATE t SET v = v + 1.5e3 WHERE id = $1|UPDATE t SET v = v + $2 WHERE id = $1",
            "select 'it''s', E'a\\'b', x'1F', B'101', U&'d\\0061t', $$body$$, $q$ $$ $q$|select $1, $2, $3, $4, $5, $6, $7",
            "SELECT * FROM t WHERE a = -5 AND b=-.5 AND c - 5 > 0|SELECT * FROM t WHERE a = $1 AND b=$2 AND c - $3 > $4",
            "SELECT -1, (x)-1, f(-2)|SELECT $1, (x)-$2, f($3)",
            "SELECT true, FALSE, NULL WHERE x IS NULL|SELECT $1, $2, NULL WHERE x IS NULL",
            "SELECT interval '1 day', '2024-01-01'::date|SELECT interval $1, $2::date",
            "SELECT 0x1F, 1_000_000, 0o17|SELECT $1, $2, $3",
            "SELECT /* 1 /* nested 2 */ 3 */ 4|SELECT /* 1 /* nested 2 */ 3 */ $1",
            "  INSERT INTO t VALUES (1, 'a');;  |INSERT INTO t VALUES ($1, $2)",
            "SELECT t1.c2 FROM t1 LIMIT 10 OFFSET 20|SELECT t1.c2 FROM t1 LIMIT $1 OFFSET $2",
            "SELECT $1, 7, $3|SELECT $1, $4, $3",
            "SELECT 'unterminated|SELECT $1",
    })
    void replacesLiteralsAsPgStatStatementsShowsThem(String sql, String expected) {
        assertEquals(expected, SqlNormalizer.normalize(sql).text());
        assertEquals(expected, SqlNormalizer.normalizedText(sql));
        // The capture tap hashes a shape once, from its normalised text, for every text of that shape.
        assertEquals(SqlNormalizer.fingerprint(sql), SqlNormalizer.fingerprint(expected));
    }

    @Test
    void countsTheLiteralsItReplaced() {
        assertEquals(3, SqlNormalizer.normalize("SELECT 1, 'a', $1, -2").constants());
    }

    @Test
    void normalisingANormalisedTextChangesNothing() {
        String once = SqlNormalizer.normalize("UPDATE t SET v = 'x', w = -3 WHERE id IN (1, 2) AND k = $1").text();
        assertEquals(once, SqlNormalizer.normalize(once).text());
    }

    @Test
    void oneFingerprintWhateverTheLiteralsLayoutCaseAndProtocol() {
        String simple = SqlNormalizer.fingerprint("SELECT abalance FROM pgbench_accounts WHERE aid = 42");
        assertEquals(simple, SqlNormalizer.fingerprint("select  abalance\n from PGBENCH_ACCOUNTS where aid=7;"));
        assertEquals(simple, SqlNormalizer.fingerprint("SELECT abalance FROM pgbench_accounts WHERE aid = $1"));
        assertEquals(simple, SqlNormalizer.fingerprint("SELECT abalance /* hint */ FROM \"pgbench_accounts\" WHERE aid = -1"));
        assertEquals(simple, SqlNormalizer.normalize("SELECT abalance FROM pgbench_accounts WHERE aid = 1").fingerprint());
    }

    @Test
    void differentStatementsHaveDifferentFingerprints() {
        String accounts = SqlNormalizer.fingerprint("SELECT abalance FROM pgbench_accounts WHERE aid = 1");
        assertNotEquals(accounts, SqlNormalizer.fingerprint("SELECT abalance FROM pgbench_accounts WHERE bid = 1"));
        assertNotEquals(accounts, SqlNormalizer.fingerprint("SELECT abalance FROM \"Pgbench_accounts\" WHERE aid = 1"));
        assertNotEquals(SqlNormalizer.fingerprint("SELECT a - 1"), SqlNormalizer.fingerprint("SELECT a, -1"));
        assertNotEquals(SqlNormalizer.fingerprint("SELECT 1 IN (1, 2)"), SqlNormalizer.fingerprint("SELECT 1 IN (1, 2, 3)"));
    }

    @Test
    void theFingerprintIsStableAcrossReleases() {
        // Pinned: the proxy and the analyzer of different builds must agree, and stored fingerprints must stay valid.
        // Changing the algorithm changes this value: then bump the wire format's version (docs/analyzer.md).
        assertEquals("3a4dce9ec1d20841", SqlNormalizer.fingerprint("SELECT abalance FROM pgbench_accounts WHERE aid = $1"));
    }

    @Test
    void literalsInsideCommentsAndQuotedIdentifiersStay() {
        assertEquals("SELECT \"1\", \"it's\" -- 2 'x'\n, $1 FROM \"T\"",
                SqlNormalizer.normalize("SELECT \"1\", \"it's\" -- 2 'x'\n, 3 FROM \"T\"").text());
    }
}
