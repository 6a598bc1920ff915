package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DeterministicValuesWorkloadTest {

    @Test
    void everyFormOfInsertAddsItsRowsWithEveryValueFilledIn() throws SQLException {
        DeterministicValuesWorkload workload = new DeterministicValuesWorkload("deterministic_values_rows");
        workload.create(source());

        InsertRun run = workload.run(source(), 4, 10).requireNoFailures();

        // Over 10 statements each client uses each of the five forms twice: 2 * (1 + 1 + 3 + 5 + 1) rows.
        assertEquals(88, DeterministicValuesWorkload.expectedRows(4, 10));
        assertEquals(40, run.statements(), run.toString());
        assertEquals(88, run.rows(), run.toString());
        assertEquals(88, workload.count(source()));
        try (Connection connection = source().openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(DISTINCT id), count(DISTINCT ident),"
                        + " count(created_at), count(DISTINCT token), count(score), count(DISTINCT note)"
                        + " FROM " + workload.table())) {
            result.next();
            for (int column = 1; column <= 6; column++) {
                assertEquals(88, result.getInt(column), "column " + column);
            }
        }
    }

    @Test
    void theSameRunOnTwoServersGivesDifferentValuesThatTheComparisonFinds() throws SQLException {
        DeterministicValuesWorkload workload = new DeterministicValuesWorkload("deterministic_values_apart");
        for (ConnectionTarget side : new ConnectionTarget[] {source(), target()}) {
            workload.create(side);
            workload.run(side, 1, 5).requireNoFailures();
        }

        TableDifference difference = TableComparison.compare(source(), target(), workload.table()).get(0);

        assertFalse(difference.identical());
        assertEquals(11, difference.rowsOnA());
        assertEquals(11, difference.onlyOnA(), difference.toString());
    }

    private static ConnectionTarget source() {
        return ConnectionTarget.superuser(TestDatabases.source());
    }

    private static ConnectionTarget target() {
        return ConnectionTarget.superuser(TestDatabases.target());
    }
}
