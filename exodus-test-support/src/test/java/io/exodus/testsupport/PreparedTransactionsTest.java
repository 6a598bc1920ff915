package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PreparedTransactionsTest {

    private static final String IN_POSTGRES = "exodus_prepared_transactions_test_postgres";
    private static final String IN_APP = "exodus_prepared_transactions_test_app";
    // Would match 'exodus_%' if the underscore were not escaped.
    private static final String NOT_OURS = "exodusXprepared_transactions_test";

    @Test
    void theProxysPreparedTransactionsOfEveryDatabaseAreListedAndRolledBack() throws SQLException {
        ConnectionTarget server = ConnectionTarget.superuser(TestDatabases.source());
        ConnectionTarget app = server.withDatabase(TestUsers.APP_DATABASE);
        prepare(server, IN_POSTGRES);
        prepare(app, IN_APP);
        prepare(server, NOT_OURS);
        try {
            List<String> listed = PreparedTransactions.exodusGids(server);
            assertTrue(listed.containsAll(List.of(IN_APP, IN_POSTGRES)), listed.toString());
            assertFalse(listed.contains(NOT_OURS), listed.toString());

            PreparedTransactions.rollbackAll(server);

            assertFalse(PreparedTransactions.exodusGids(server).contains(IN_POSTGRES));
            assertFalse(PreparedTransactions.exodusGids(server).contains(IN_APP));
        } finally {
            execute(server, "ROLLBACK PREPARED '" + NOT_OURS + "'");
        }
    }

    private static void prepare(ConnectionTarget target, String gid) throws SQLException {
        execute(target, "BEGIN; SELECT 1; PREPARE TRANSACTION '" + gid + "'");
    }

    private static void execute(ConnectionTarget target, String sql) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
