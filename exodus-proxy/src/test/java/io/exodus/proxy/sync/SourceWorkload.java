package io.exodus.proxy.sync;

import io.exodus.testsupport.ConnectionTarget;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writers that keep changing every table of {@link SyncSourceSchema} on the source while the sync runs, through
 * a {@link WorkloadGate}: inserts (serial, identity, partitioned, without a key, generated column), updates (a key
 * change among them, one that fires the trigger), deletes. After the switch each transaction runs on both
 * databases as dual-write would, with the source's drawn values copied to the target.
 */
final class SourceWorkload implements AutoCloseable {
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger beforeSwitch = new AtomicInteger();
    private final AtomicInteger afterSwitch = new AtomicInteger();
    private volatile boolean stopping;

    SourceWorkload(ConnectionTarget source, ConnectionTarget target, WorkloadGate gate) {
        for (int i = 0; i < 2; i++) {
            int writer = i;
            Thread thread = new Thread(() -> {
                try {
                    write(writer, source, target, gate);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "sync-workload-" + i);
            writers.add(thread);
            thread.start();
        }
    }

    private void write(int writer, ConnectionTarget sourceDb, ConnectionTarget targetDb, WorkloadGate gate)
            throws Exception {
        try (Connection source = sourceDb.openJdbc(); Connection target = targetDb.openJdbc()) {
            source.setAutoCommit(false);
            target.setAutoCommit(false);
            int counter = 0;
            while (!stopping) {
                counter++;
                boolean dualWrite = gate.enter();
                try {
                    if (dualWrite) {
                        bothDatabases(source, target, writer, counter);
                        afterSwitch.incrementAndGet();
                    } else {
                        sourceOnly(source, writer, counter);
                        beforeSwitch.incrementAndGet();
                    }
                } finally {
                    gate.exit();
                }
                Thread.sleep(2);
            }
        }
    }

    private static void sourceOnly(Connection source, int writer, int counter) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long order = random.nextLong(1, 30_000);
        int lineNo = 1_000_000 * (writer + 1) + counter;
        update(source, "INSERT INTO orders (customer, amount, note, tags, meta) VALUES (?, ?, ?, ?, ?::jsonb)",
                random.nextInt(500), new java.math.BigDecimal("12.50"), "w" + writer + " it's \"quoted\" \\ é",
                source.createArrayOf("text", new Object[]{"x", null}), "{\"w\": " + writer + "}");
        update(source, "UPDATE accounts SET balance = balance + 1 WHERE id = ?", mine(writer, 3000));
        update(source, "INSERT INTO line_items (order_id, line_no, qty) VALUES (?, ?, ?)", order, lineNo, counter % 9);
        if (counter % 5 == 0) {
            // A key change: the old key travels with the update.
            update(source, "UPDATE line_items SET line_no = line_no + 500000, qty = qty + 1 "
                    + "WHERE order_id = ? AND line_no = ?", order, lineNo);
        }
        if (counter % 7 == 0) {
            update(source, "DELETE FROM line_items WHERE order_id = ? AND line_no = 2", mine(writer, 30_000));
        }
        if (counter % 4 == 0) {
            update(source, "INSERT INTO accounts (balance) VALUES (?)", counter);
        }
        update(source, "INSERT INTO events_log (at, kind, detail) VALUES (now(), 'write', ?)", "w" + writer);
        update(source, "INSERT INTO measurements (reading) VALUES (?)", random.nextDouble());
        if (counter % 3 == 0) {
            update(source, "UPDATE measurements SET reading = reading + 0.5 WHERE id = ?", mine(writer, 30_000));
        }
        if (counter % 11 == 0) {
            update(source, "DELETE FROM measurements WHERE id = ?", mine(writer, 30_000));
        }
        update(source, "UPDATE audited SET v = v + 1 WHERE id = ?", mine(writer, 1000));
        source.commit();
    }

    /** As dual-write runs a transaction: the source first, its drawn id copied to the target. */
    private static void bothDatabases(Connection source, Connection target, int writer, int counter)
            throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long id;
        try (PreparedStatement insert = source.prepareStatement(
                "INSERT INTO orders (customer, amount, note) VALUES (?, 7.25, 'after the switch') RETURNING id")) {
            insert.setInt(1, writer);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                id = rows.getLong(1);
            }
        }
        update(target, "INSERT INTO orders (id, customer, amount, note) VALUES (?, ?, 7.25, 'after the switch')",
                id, writer);
        long account = mine(writer, 3000);
        for (Connection each : List.of(source, target)) {
            update(each, "UPDATE accounts SET balance = balance + 1 WHERE id = ?", account);
            update(each, "INSERT INTO line_items (order_id, line_no, qty) VALUES (?, ?, 3)", id, counter);
        }
        source.commit();
        target.commit();
    }

    /**
     * A row id in 1..bound that only this writer (of two) picks: two writers never lock each other's rows in
     * different orders, so the workload cannot deadlock itself.
     */
    private static long mine(int writer, long bound) {
        return ThreadLocalRandom.current().nextLong(0, bound / 2) * 2 + writer + 1;
    }

    private static void update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    int transactionsBeforeSwitch() {
        return beforeSwitch.get();
    }

    int transactionsAfterSwitch() {
        return afterSwitch.get();
    }

    /** Stops the writers and rethrows the first error any of them met. */
    @Override
    public void close() throws Exception {
        stopping = true;
        for (Thread writer : writers) {
            writer.join(30_000);
        }
        Throwable first = failure.get();
        if (first != null) {
            throw new AssertionError("the workload failed: " + first, first);
        }
    }
}
