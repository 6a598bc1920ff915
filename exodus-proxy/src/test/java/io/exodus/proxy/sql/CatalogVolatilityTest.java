package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;

/** FunctionVolatility built from a real source catalog, as the proxy builds it. */
class CatalogVolatilityTest {

    private static final String SCHEMA = "exodus_sql_volatility";

    private static StatementClassifier classifier;
    private static FunctionVolatility catalog;
    /** pg_catalog function name → its provolatile ('i', 's' or 'v'; 'v' wins for overloaded names). */
    private static final Map<String, String> builtinVolatility = new HashMap<>();

    @BeforeAll
    static void loadTheCatalogWithUserFunctions() throws SQLException {
        try (Connection connection = ConnectionTarget.superuser(TestDatabases.source()).openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + SCHEMA + " cascade");
            statement.execute("create schema " + SCHEMA);
            statement.execute("create function " + SCHEMA + ".exodus_volatile_probe() returns int volatile"
                    + " language sql as 'select 1'");
            statement.execute("create function " + SCHEMA + ".exodus_stable_probe() returns int stable"
                    + " language sql as 'select 1'");
            statement.execute("create table " + SCHEMA + ".exodus_probe_rows (n int)");
            statement.execute("create function " + SCHEMA + ".exodus_writing_probe(i int) returns void"
                    + " language sql as 'insert into " + SCHEMA + ".exodus_probe_rows values (i)'");
            statement.execute("create function " + SCHEMA + ".exodus_reading_probe() returns void language plpgsql"
                    + " as $$ begin perform count(*) from " + SCHEMA + ".exodus_probe_rows; end $$");
            List<FunctionVolatility.CatalogRow> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(FunctionVolatility.CATALOG_QUERY)) {
                while (result.next()) {
                    rows.add(new FunctionVolatility.CatalogRow(result.getString(1), result.getString(2),
                            result.getString(3), result.getBoolean(4)));
                }
            }
            catalog = FunctionVolatility.fromCatalog(rows);
            classifier = new StatementClassifier(catalog);
            try (ResultSet result = statement.executeQuery("select p.proname, max(p.provolatile::text) from pg_proc p"
                    + " where p.pronamespace = 'pg_catalog'::regnamespace group by p.proname")) {
                while (result.next()) {
                    builtinVolatility.put(result.getString(1), result.getString(2));
                }
            }
        }
    }

    @AfterAll
    static void dropTheUserFunctions() throws SQLException {
        try (Connection connection = ConnectionTarget.superuser(TestDatabases.source()).openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }

    private static StatementKind kindOf(String sql) {
        return classifier.classify(sql).kind();
    }

    /** The functions of the database's own whose bodies read tables, told from the catalog's text of them. */
    @Test
    void functionsWhoseBodiesReadTablesAreKnown() {
        assertEquals("exodus_stable_probe()", catalog.firstReadingTables(List.of("exodus_stable_probe")));
        assertEquals(SCHEMA + ".exodus_reading_probe()", catalog.firstReadingTables(
                List.of("exodus_writing_probe", SCHEMA + ".exodus_reading_probe")));
        assertEquals(null, catalog.firstReadingTables(List.of("exodus_writing_probe", "now", "random")));
        assertEquals(null, catalog.firstReadingTables(List.of("count", "pg_catalog.lower")),
                "the server's own functions are not the database's code");
    }

    @Test
    void harmlessVolatileFunctionsKeepAReadARead() {
        for (String sql : new String[] {"select random()", "select pg_catalog.random()", "select clock_timestamp()",
            "select timeofday()", "select gen_random_uuid()", "select pg_sleep(0)", "select currval('s')",
            "select pg_is_in_recovery(), pg_current_wal_lsn()", "select now(), statement_timestamp(), version()",
            "select lower(name), count(*) from t group by 1", "select cursor_to_xml('c'::refcursor, 5, false, true, '')"}) {
            assertEquals(StatementKind.READ, kindOf(sql), sql);
        }
    }

    @Test
    void sequencesAndOtherWritingFunctionsMakeAReadAWrite() {
        for (String sql : new String[] {"select nextval('s')", "select setval('s', 1)", "select pg_advisory_lock(1)",
            "select lo_unlink(42)"}) {
            assertEquals(StatementKind.WRITE, kindOf(sql), sql);
        }
        assertEquals(StatementKind.SESSION, kindOf("select set_config('search_path', 'app', false)"));
    }

    @Test
    void aUserDefinedVolatileFunctionMakesAReadAWriteAndAStableOneDoesNot() {
        assertEquals(StatementKind.WRITE, kindOf("select exodus_volatile_probe()"));
        assertEquals(StatementKind.WRITE, kindOf("select " + SCHEMA + ".exodus_volatile_probe()"));
        assertEquals(StatementKind.WRITE, kindOf("select * from t where id = exodus_volatile_probe()"));
        assertEquals(StatementKind.READ, kindOf("select exodus_stable_probe()"));
        assertEquals(StatementKind.READ, kindOf("select " + SCHEMA + ".exodus_stable_probe()"));
    }

    /**
     * A function the catalog does not hold was made after it was read: taken for one that writes, and whoever holds
     * the catalog hears of it. Syntax that looks like a call is not a function.
     */
    @Test
    void aFunctionTheCatalogDoesNotHoldIsAWriteAndIsReported() {
        List<String> reported = new ArrayList<>();
        StatementClassifier reporting = new StatementClassifier(classifier.volatility().reportingUnknownCallsTo(
                reported::add));
        assertEquals(StatementKind.WRITE, reporting.classify("select made_after_the_catalog(1)").kind());
        assertEquals(StatementKind.WRITE, reporting.classify("select public.exodus_volatile_probe()").kind());
        assertEquals(List.of("made_after_the_catalog", "public.exodus_volatile_probe"), reported);
        for (String sql : new String[] {"select coalesce(a, b), nullif(a, 0), greatest(a, b) from t",
            "select count(*) filter (where a > 1) over (partition by b) from t", "select * from t order by (a)",
            "select extract(year from ts), substring(s from 1 for 2), trim(both from s) from t",
            "select ts at time zone ('UTC') from t", "select information_schema._pg_truetypid(a, t) from x"}) {
            assertEquals(StatementKind.READ, reporting.classify(sql).kind(), sql);
        }
        assertEquals(2, reported.size(), reported.toString());
    }

    /** While the database's functions may be changing, none of them is a read; the server's own still are. */
    @Test
    void aDistrustingCatalogTakesEveryUserFunctionForAWrite() {
        StatementClassifier distrusting = new StatementClassifier(classifier.volatility().distrustingUserFunctions());
        assertEquals(StatementKind.WRITE, distrusting.classify("select exodus_stable_probe()").kind());
        assertEquals(StatementKind.WRITE, distrusting.classify("select " + SCHEMA + ".exodus_stable_probe()").kind());
        assertEquals(StatementKind.READ, distrusting.classify("select lower(name), pg_catalog.upper(name) from t")
                .kind());
    }

    @Test
    void everyHarmlessBuiltinIsReallyVolatileInThisPostgres() {
        for (String name : FunctionVolatility.harmlessBuiltins()) {
            String volatility = builtinVolatility.get(name);
            // random_normal is PostgreSQL 16+; other versions do not have it.
            assertTrue(volatility == null || volatility.equals("v"), name + " is " + volatility + ", not volatile");
        }
    }

    /** Volatile in the catalog, but their effect and answer belong to the server that runs them: not mirrored. */
    @Test
    void serverLocalFunctionsKeepAReadARead() {
        for (String sql : new String[] {"select pg_terminate_backend(1)", "select pg_cancel_backend(pid) from "
                + "pg_stat_activity", "select txid_status(42)", "select txid_current()", "select pg_current_xact_id()",
                "select pg_catalog.pg_reload_conf()", "select pg_create_logical_replication_slot('s', 'pgoutput')",
                "select lo_export(42, '/tmp/x')", "select pg_catalog.pg_size_pretty(pg_catalog.pg_table_size(c.oid)) "
                + "from pg_catalog.pg_class c", "select pg_database_size(datname) from pg_database",
                "select * from pg_lock_status()", "select pg_read_file('postmaster.pid')"}) {
            assertEquals(StatementKind.READ, kindOf(sql), sql);
        }
    }

    /**
     * psql's {@code \d} of a partitioned table: its query calls the volatile pg_partition_ancestors and filters by the
     * source's OIDs. Taken for a write, it ran on the target as well, found other rows there, and the row-count
     * difference sent the session's transaction, and its database's next writes, to the replay queue.
     */
    @Test
    void psqlsDescribeQueriesAreReads() {
        String triggers = "SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled, t.tgisinternal, "
                + "CASE WHEN t.tgparentid != 0 THEN (SELECT u.tgrelid::pg_catalog.regclass FROM pg_catalog.pg_trigger "
                + "AS u, pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth) WHERE "
                + "u.tgname = t.tgname AND u.tgrelid = a.relid AND u.tgparentid = 0 ORDER BY a.depth LIMIT 1) END AS "
                + "parent FROM pg_catalog.pg_trigger t WHERE t.tgrelid = '16423' ORDER BY 1;";
        assertEquals(StatementKind.READ, kindOf(triggers));
        assertEquals(StatementKind.READ, kindOf("SELECT relid FROM pg_catalog.pg_partition_tree('16423')"));
        assertEquals("v", builtinVolatility.get("pg_partition_ancestors"), "volatile in the catalog");
    }

    @Test
    void stableFunctionsThatAnswerPerServerNeedNoListEntry() {
        // And these, often thought volatile, are stable: no allow-list entry is needed for them.
        for (String name : Set.of("now", "statement_timestamp", "pg_backend_pid", "version", "current_setting")) {
            assertEquals("s", builtinVolatility.get(name), name);
        }
    }

    /** KnownSettings trusts a statement only when every call it makes can run the server's own code alone. */
    @Test
    void onlyServerFunctionsNoOwnFunctionShadowsRunServerCodeOnly() {
        for (String server : List.of("now", "pg_catalog.now", "current_setting", "coalesce", "length",
                "pg_catalog.set_config", "mydb.pg_catalog.upper")) {
            assertTrue(catalog.runsServerCodeOnly(server), server);
        }
        for (String other : List.of("exodus_stable_probe", SCHEMA + ".exodus_stable_probe",
                SCHEMA + ".now", "public.now", "no_such_function", "query_to_xml", "pg_catalog.ts_stat")) {
            assertFalse(catalog.runsServerCodeOnly(other), other);
        }
        assertFalse(FunctionVolatility.withoutCatalog().runsServerCodeOnly("now"), "without a catalog nothing is known");
    }
}
