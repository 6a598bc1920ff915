package io.exodus.proxy.session;

import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** psql and pgbench, the command-line clients every PostgreSQL user has, through the proxy. */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class CommandLineClientsTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    /** pgbench -i through the proxy is tested once; the other runs reuse its tables. */
    private static boolean pgbenchTablesExist;

    private ConnectionTarget proxy(String user, String password) {
        return ConnectionTarget.local(port, user, password, TestUsers.DEFAULT_DATABASE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "disable", "require" })
    void psqlLogsInWithScramMd5AndTheSourceUrlUser(String sslmode) {
        assertEquals("app_scram|42", Psql.against(proxy(TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD)
                .withSslmode(sslmode)).query("select current_user, 40 + 2"));
        assertEquals(TestUsers.MD5_USER, Psql.against(proxy(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD)
                .withSslmode(sslmode)).query("select current_user"));
        assertEquals(TestUsers.SUPERUSER, Psql.against(proxy(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                .withSslmode(sslmode)).query("select current_user"));
    }

    @Test
    void psqlScriptWithCopyAndErrorsBehavesAsDirectly() {
        String script = """
                drop table if exists psql_copy;
                create table psql_copy (id int primary key, label text);
                copy psql_copy from stdin;
                1\tone
                2\ttwo
                \\.
                select string_agg(label, ',' order by id) from psql_copy;
                """;
        CommandResult proxied = Psql.against(proxy(TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD)).script(script);
        proxied.requireSuccess();
        assertTrue(proxied.stdout().contains("one,two"), proxied.stdout());

        CommandResult failing = Psql.against(proxy(TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD))
                .command("select 1/0");
        assertFalse(failing.succeeded());
        assertTrue(failing.stderr().contains("division by zero"), failing.stderr());
    }

    @Test
    void psqlWithAWrongPasswordIsRefused() {
        CommandResult refused = Psql.against(proxy(TestUsers.SCRAM_USER, "wrong")).command("select 1");
        assertEquals(2, refused.exitCode());
        assertTrue(refused.stderr().contains("password authentication failed for user \"app_scram\""),
                refused.stderr());
    }

    @ParameterizedTest
    @CsvSource({ "SIMPLE,disable", "EXTENDED,disable", "PREPARED,disable", "SIMPLE,require", "EXTENDED,require",
            "PREPARED,require" })
    void pgbenchRunsEveryQueryModeWithoutFailures(QueryMode mode, String sslmode) {
        ConnectionTarget target = proxy(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                .withDatabase(TestUsers.APP_DATABASE).withSslmode(sslmode);
        Pgbench pgbench = Pgbench.against(target);
        if (!pgbenchTablesExist) {
            pgbench.initialize(1).requireSuccess();
            pgbenchTablesExist = true;
        }
        String before = Psql.against(ConnectionTarget.of(TestDatabases.source(), TestUsers.SUPERUSER,
                TestUsers.SUPERUSER_PASSWORD, TestUsers.APP_DATABASE)).query("select count(*) from pgbench_history");
        PgbenchResult result = pgbench.run(mode, 8, 2, 40, BuiltinScript.TPCB_LIKE).requireSuccess();
        assertEquals(320, result.processedTransactions().orElseThrow(), result.stdout());
        String after = Psql.against(ConnectionTarget.of(TestDatabases.source(), TestUsers.SUPERUSER,
                TestUsers.SUPERUSER_PASSWORD, TestUsers.APP_DATABASE)).query("select count(*) from pgbench_history");
        assertEquals(Long.parseLong(before) + 320, Long.parseLong(after), "every transaction reached the source");
        pgbench.run(mode, 4, 2, 50, BuiltinScript.SELECT_ONLY).requireSuccess();
    }
}
