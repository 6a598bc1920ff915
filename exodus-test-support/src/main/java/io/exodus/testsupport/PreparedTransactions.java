package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The two-phase-commit transactions the proxy prepares on a server (gids starting with {@code exodus_}), for tests
 * that check none is left behind and for cleaning up after a test that crashed something between PREPARE and
 * COMMIT PREPARED. pg_prepared_xacts shows those of every database of the server.
 */
public final class PreparedTransactions {

    private static final String EXODUS_GIDS = "SELECT gid, database FROM pg_prepared_xacts"
            + " WHERE gid LIKE 'exodus\\_%' ORDER BY gid";
    private static final String UNDEFINED_OBJECT = "42704";

    private PreparedTransactions() {
    }

    /** The gids of the server's prepared transactions named by the proxy, in all databases, sorted. */
    public static List<String> exodusGids(ConnectionTarget target) throws SQLException {
        List<String> gids = new ArrayList<>();
        for (Prepared prepared : exodusPrepared(target)) {
            gids.add(prepared.gid());
        }
        return gids;
    }

    /**
     * Rolls back every prepared transaction named by the proxy, connecting to each one's database as this target's
     * user, who must be a superuser or the one who prepared it. One that is finished meanwhile is skipped.
     */
    public static void rollbackAll(ConnectionTarget target) throws SQLException {
        for (Prepared prepared : exodusPrepared(target)) {
            try (Connection connection = target.withDatabase(prepared.database()).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("ROLLBACK PREPARED '" + prepared.gid().replace("'", "''") + "'");
            } catch (SQLException e) {
                if (!UNDEFINED_OBJECT.equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    private static List<Prepared> exodusPrepared(ConnectionTarget target) throws SQLException {
        List<Prepared> prepared = new ArrayList<>();
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(EXODUS_GIDS)) {
            while (result.next()) {
                prepared.add(new Prepared(result.getString(1), result.getString(2)));
            }
        }
        return prepared;
    }

    private record Prepared(String gid, String database) {
    }
}
