package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bank whose accounts move money among themselves, so that the sum of all balances never changes: whatever a
 * dual-write proxy does to concurrent transactions, a lost, doubled or half-applied transfer shows in
 * {@link #total(ConnectionTarget)}, and {@link TableComparison} shows which account differs between source and
 * target.
 *
 * <p>Each client has its own connection and its own seeded {@link Random}, so every client sends the same transfers
 * on every run (their interleaving is up to the scheduler). Of the transfers, about one in ten is a single
 * autocommit {@code UPDATE} moving money between both accounts; the others are explicit transactions that lock both
 * accounts with {@code SELECT ... FOR UPDATE} in id order (so they cannot deadlock each other), update them, and
 * commit, except about one in ten that rolls back on purpose. Deadlocks and serialization failures are retried.
 *
 * <p>Made for runs during which a server or the proxy goes away: a transfer that fails is counted and the client goes
 * on with the next one, reconnecting if its connection broke, and no wait is unbounded (socket and login timeouts).
 * The clients show as {@link #applicationName()} in pg_stat_activity.
 */
public final class BankWorkload {

    public static final int DEFAULT_ACCOUNTS = 100;
    public static final long INITIAL_BALANCE = 1000;
    public static final long DEFAULT_SEED = 1_000_003;

    private static final double SINGLE_STATEMENT_SHARE = 0.1;
    private static final double ROLLBACK_SHARE = 0.1;
    private static final int MAX_AMOUNT = 100;
    private static final int MAX_ATTEMPTS = 3;
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK_DETECTED = "40P01";

    private final String table;
    private final int accounts;
    private final long seed;
    private final Duration socketTimeout;

    /** A bank of {@value #DEFAULT_ACCOUNTS} accounts. */
    public BankWorkload(String table) {
        this(table, DEFAULT_ACCOUNTS);
    }

    /**
     * @param table    as SQL would write it, schema-qualified or not: {@code bank}, {@code app.bank}
     * @param accounts at least 2
     */
    public BankWorkload(String table, int accounts) {
        this(table, accounts, DEFAULT_SEED, WorkloadConnection.DEFAULT_SOCKET_TIMEOUT);
    }

    private BankWorkload(String table, int accounts, long seed, Duration socketTimeout) {
        this.table = Objects.requireNonNull(table, "table");
        if (accounts < 2) {
            throw new IllegalArgumentException("A transfer needs two accounts; " + accounts + " is too few");
        }
        this.accounts = accounts;
        this.seed = seed;
        this.socketTimeout = Objects.requireNonNull(socketTimeout, "socketTimeout");
    }

    /** Client i draws its transfers from {@code new Random(seed + i)}. */
    public BankWorkload withSeed(long newSeed) {
        return new BankWorkload(table, accounts, newSeed, socketTimeout);
    }

    /** The longest a client waits for any answer (default 30 s) before it counts the transfer as failed. */
    public BankWorkload withSocketTimeout(Duration newSocketTimeout) {
        return new BankWorkload(table, accounts, seed, newSocketTimeout);
    }

    public String table() {
        return table;
    }

    public int accounts() {
        return accounts;
    }

    /** What {@link #total(ConnectionTarget)} must be, before, during and after any run. */
    public long expectedTotal() {
        return accounts * INITIAL_BALANCE;
    }

    /** The application_name of the clients' connections, to find them in pg_stat_activity. */
    public String applicationName() {
        return "exodus-bank " + table;
    }

    /** Drops and creates the table with every account at {@value #INITIAL_BALANCE}, in one transaction. */
    public void create(ConnectionTarget target) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, balance bigint NOT NULL)");
            statement.execute("INSERT INTO " + table + " (id, balance) SELECT g, " + INITIAL_BALANCE
                    + " FROM generate_series(1, " + accounts + ") g");
            connection.commit();
        }
    }

    /** The sum of all balances; {@link #expectedTotal()} unless money was lost or made. */
    public long total(ConnectionTarget target) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT coalesce(sum(balance), 0) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Each client makes this many transfers, whatever becomes of them. */
    /**
     * Reads the total of every balance through one connection, every 20 ms until {@code deadlineNanos}
     * ({@link System#nanoTime}), outside transactions: what went wrong (an error, or a total other than
     * {@link #expectedTotal()}; at most ten), or nothing. Reads like these are the ones a canary sends to the target and
     * a shadow step compares.
     */
    public List<String> readTotalsUntil(ConnectionTarget through, long deadlineNanos) {
        List<String> wrong = new ArrayList<>();
        try (Connection client = through.openJdbc(); Statement statement = client.createStatement()) {
            while (System.nanoTime() < deadlineNanos && wrong.size() < 10) {
                try (ResultSet total = statement.executeQuery("SELECT sum(balance) FROM " + table)) {
                    total.next();
                    if (total.getLong(1) != expectedTotal()) {
                        wrong.add("total " + total.getLong(1));
                    }
                } catch (SQLException e) {
                    wrong.add(e.getSQLState() + " " + e.getMessage());
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } catch (SQLException e) {
            wrong.add("connect: " + e.getMessage());
        }
        return wrong;
    }

    public BankRun run(ConnectionTarget through, int clients, int transfersPerClient) {
        return run(through, clients, transfersPerClient, Long.MAX_VALUE);
    }

    /** Each client makes transfers until this time is up; the one under way when it is up is finished. */
    public BankRun run(ConnectionTarget through, int clients, Duration duration) {
        return run(through, clients, Long.MAX_VALUE, duration.toNanos());
    }

    private BankRun run(ConnectionTarget through, int clients, long transfersPerClient, long durationNanos) {
        Tally tally = new Tally();
        long started = System.nanoTime();
        ConcurrentClients.run("bank", clients, index -> {
            Random random = new Random(seed + index);
            try (WorkloadConnection connection = new WorkloadConnection(through, socketTimeout, applicationName(),
                    new Properties())) {
                for (long i = 0; i < transfersPerClient && System.nanoTime() - started < durationNanos
                        && !Thread.currentThread().isInterrupted(); i++) {
                    transfer(connection, Transfer.draw(random, accounts), tally);
                }
            }
        });
        return new BankRun(tally.committed.get(), tally.rolledBack.get(), tally.failures.count(),
                tally.retries.get(), tally.failures.first(), Duration.ofNanos(System.nanoTime() - started));
    }

    private void transfer(WorkloadConnection connection, Transfer transfer, Tally tally) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (transfer.inOneStatement()) {
                    transferInOneStatement(connection.get(), transfer);
                    tally.committed.incrementAndGet();
                } else if (transferInTransaction(connection.get(), transfer)) {
                    tally.committed.incrementAndGet();
                } else {
                    tally.rolledBack.incrementAndGet();
                }
                return;
            } catch (SQLException e) {
                connection.recover();
                if (attempt < MAX_ATTEMPTS && (SERIALIZATION_FAILURE.equals(e.getSQLState())
                        || DEADLOCK_DETECTED.equals(e.getSQLState()))) {
                    tally.retries.incrementAndGet();
                    continue;
                }
                tally.failures.add(e);
                return;
            } catch (RuntimeException e) {
                connection.recover();
                tally.failures.add(e);
                return;
            }
        }
    }

    /** Locks both accounts in id order, moves the amount, commits or rolls back; true if it committed. */
    private boolean transferInTransaction(Connection connection, Transfer transfer) throws SQLException {
        connection.setAutoCommit(false);
        lock(connection, Math.min(transfer.from(), transfer.to()));
        lock(connection, Math.max(transfer.from(), transfer.to()));
        add(connection, transfer.from(), -transfer.amount());
        add(connection, transfer.to(), transfer.amount());
        if (transfer.rollBack()) {
            connection.rollback();
            return false;
        }
        connection.commit();
        return true;
    }

    private void lock(Connection connection, int account) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT balance FROM " + table + " WHERE id = ? FOR UPDATE")) {
            statement.setInt(1, account);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    throw new IllegalStateException("No account " + account + " in " + table);
                }
            }
        }
    }

    private void add(Connection connection, int account, long amount) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE " + table + " SET balance = balance + ? WHERE id = ?")) {
            statement.setLong(1, amount);
            statement.setInt(2, account);
            requireUpdated(1, statement.executeUpdate());
        }
    }

    /** Both accounts in one autocommit statement, as plain SQL text; the CTE locks them in id order first. */
    private void transferInOneStatement(Connection connection, Transfer transfer) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            requireUpdated(2, statement.executeUpdate(
                    "WITH locked AS (SELECT id FROM " + table + " WHERE id IN (" + transfer.from() + ", "
                            + transfer.to() + ") ORDER BY id FOR UPDATE)"
                            + " UPDATE " + table + " AS account SET balance = account.balance + CASE account.id"
                            + " WHEN " + transfer.from() + " THEN " + -transfer.amount()
                            + " ELSE " + transfer.amount() + " END"
                            + " FROM locked WHERE account.id = locked.id"));
        }
    }

    private void requireUpdated(int expected, int updated) {
        if (updated != expected) {
            throw new IllegalStateException("A transfer updated " + updated + " rows of " + table + " instead of "
                    + expected);
        }
    }

    /** Drawn before the first attempt, so that a retry sends the same transfer and the sequence stays seeded. */
    private record Transfer(int from, int to, long amount, boolean inOneStatement, boolean rollBack) {

        static Transfer draw(Random random, int accounts) {
            int from = 1 + random.nextInt(accounts);
            int to = 1 + random.nextInt(accounts - 1);
            if (to >= from) {
                to++;
            }
            long amount = 1 + random.nextInt(MAX_AMOUNT);
            boolean inOneStatement = random.nextDouble() < SINGLE_STATEMENT_SHARE;
            boolean rollBack = random.nextDouble() < ROLLBACK_SHARE;
            return new Transfer(from, to, amount, inOneStatement, rollBack && !inOneStatement);
        }
    }

    private static final class Tally {
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger rolledBack = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final Failures failures = new Failures();
    }
}
