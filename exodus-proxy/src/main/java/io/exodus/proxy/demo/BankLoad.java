package io.exodus.proxy.demo;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's application: a few clients of the bank, connected to the proxy's listen port as any application would
 * be, each running pgbench-like transactions one after the other until stopped: a transfer between two accounts with
 * its history row, then a look-up of one balance outside a transaction (the kind of read phase canary may send to the
 * target). Every failure a client sees is counted: the demo's promise is that there are none.
 *
 * <p>The clients run on a Vert.x of their own, so that they are as separate from the proxy as an application is.
 */
final class BankLoad {
    private static final Logger LOG = Logger.getLogger(DemoConsole.CATEGORY);
    private static final String MOVE = "UPDATE " + BankSeed.ACCOUNTS
            + " SET balance = balance + $1 WHERE id = $2";
    private static final String RECORD = "INSERT INTO " + BankSeed.HISTORY
            + " (from_account, to_account, amount) VALUES ($1, $2, $3)";
    // The port setting names the server that answered: the canary's share of reads shows in the figures.
    private static final String LOOK_UP = "SELECT balance, current_setting('port') FROM " + BankSeed.ACCOUNTS
            + " WHERE id = $1";
    private static final int MAX_AMOUNT = 100;
    private static final long RETRY_DELAY_MILLIS = 200;
    private static final int ERRORS_KEPT = 5;
    private static final long SEED = 1_000_003;

    private final Vertx vertx;
    private final PgConnectOptions through;
    private final int accounts;
    private final String targetPort;
    private final AtomicLong transfers = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong readsOnTarget = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> firstErrors = new CopyOnWriteArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private final long startedNanos = System.nanoTime();
    private volatile long stoppedNanos;
    private volatile boolean stopping;
    /*
     * Set as the JVM starts to shut down, before the demo is told: the embedded servers' own shutdown hook stops them
     * at that moment, and the clients' failures then are the shutdown's, not the migration's.
     */
    private volatile boolean shuttingDown;
    private final Thread shutdownWatch = new Thread(() -> shuttingDown = true, "exodus-demo-load-shutdown");

    private BankLoad(PgConnectOptions through, int clientCount, int accounts, int targetPort) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.min(clientCount, 2))
                .setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        this.through = new PgConnectOptions(through).setCachePreparedStatements(true)
                .addProperty("application_name", "exodus-demo-bank");
        this.accounts = accounts;
        this.targetPort = String.valueOf(targetPort);
        for (int i = 0; i < clientCount; i++) {
            clients.add(new Client(i));
        }
    }

    /**
     * @param through    the proxy's listen address, with the credentials a client logs in with
     * @param targetPort the target's port, to tell the reads it answered from the source's
     */
    static BankLoad start(PgConnectOptions through, int clients, int accounts, int targetPort) {
        BankLoad load = new BankLoad(through, clients, accounts, targetPort);
        Runtime.getRuntime().addShutdownHook(load.shutdownWatch);
        load.clients.forEach(Client::connect);
        return load;
    }

    LoadFigures figures() {
        long end = stoppedNanos == 0 ? System.nanoTime() : stoppedNanos;
        return new LoadFigures(transfers.get(), reads.get(), readsOnTarget.get(), errors.get(),
                Duration.ofNanos(end - startedNanos), List.copyOf(firstErrors));
    }

    /** Lets each client finish what it is doing, then closes its connection; waits up to {@code timeout}. */
    LoadFigures stop(Duration timeout) {
        stopping = true;
        Future<?> all = Future.join(clients.stream().map(client -> client.finished.future()).toList());
        try {
            all.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("The demo's clients did not all stop within %d ms: %s", timeout.toMillis(), e.getMessage());
        }
        if (stoppedNanos == 0) {
            stoppedNanos = System.nanoTime();
        }
        vertx.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownWatch);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs, or has run: nothing to remove
        }
        return figures();
    }

    private void failed(int client, String what, Throwable failure) {
        errors.incrementAndGet();
        String message = failure instanceof PgException pg
                ? pg.getSqlState() + " " + pg.getErrorMessage() : String.valueOf(failure.getMessage());
        if (firstErrors.size() < ERRORS_KEPT && !shuttingDown) {
            String line = "client " + client + ", " + what + ": " + message;
            firstErrors.add(line);
            LOG.errorf("Demo client error (%s)", line);
        }
    }

    /** One connection and its own seeded draws, one unit of work at a time. */
    private final class Client {
        private final int index;
        private final Random random;
        private final Promise<Void> finished = Promise.promise();
        private PgConnection connection;
        private volatile boolean closed;

        Client(int index) {
            this.index = index;
            this.random = new Random(SEED + index);
        }

        void connect() {
            if (stopping) {
                finished.tryComplete();
                return;
            }
            PgConnection.connect(vertx, through).onComplete(connected -> {
                if (connected.failed()) {
                    failed(index, "connect", connected.cause());
                    vertx.setTimer(RETRY_DELAY_MILLIS, id -> connect());
                    return;
                }
                connection = connected.result();
                closed = false;
                connection.closeHandler(v -> closed = true);
                // Each failure reaches the request that saw it (counted there); unhandled, Vert.x would log it too.
                connection.exceptionHandler(failure -> { });
                next();
            });
        }

        void next() {
            if (stopping) {
                connection.close().onComplete(v -> finished.tryComplete());
                return;
            }
            transfer().onFailure(failure -> failed(index, "transfer", failure))
                    .transform(v -> lookUp().onFailure(failure -> failed(index, "read", failure)))
                    .onComplete(done -> {
                        if (closed) {
                            vertx.setTimer(RETRY_DELAY_MILLIS, id -> connect());
                        } else if (done.failed()) {
                            // Not at once: a request that fails without a round trip would recurse.
                            vertx.setTimer(1, id -> next());
                        } else {
                            next();
                        }
                    });
        }

        /** Both accounts updated in id order, so that two clients' transfers never deadlock. */
        private Future<Void> transfer() {
            int from = 1 + random.nextInt(accounts);
            int to = 1 + random.nextInt(accounts - 1);
            if (to >= from) {
                to++;
            }
            long amount = 1 + random.nextInt(MAX_AMOUNT);
            int first = Math.min(from, to);
            int second = Math.max(from, to);
            long firstChange = first == from ? -amount : amount;
            int fromAccount = from;
            int toAccount = to;
            return connection.begin().compose(transaction -> move(first, firstChange)
                    .compose(v -> move(second, -firstChange))
                    .compose(v -> connection.preparedQuery(RECORD).execute(Tuple.of(fromAccount, toAccount, amount)))
                    .compose(v -> transaction.commit())
                    .recover(failure -> transaction.rollback().transform(v -> Future.<Void>failedFuture(failure))))
                    .onSuccess(v -> transfers.incrementAndGet());
        }

        private Future<Void> move(int account, long change) {
            return connection.preparedQuery(MOVE).execute(Tuple.of(change, account)).compose(updated ->
                    updated.rowCount() == 1 ? Future.succeededFuture()
                            : Future.failedFuture("account " + account + " was not found (" + updated.rowCount()
                                    + " rows updated)"));
        }

        private Future<Void> lookUp() {
            return connection.preparedQuery(LOOK_UP).execute(Tuple.of(1 + random.nextInt(accounts)))
                    .compose(this::counted);
        }

        private Future<Void> counted(RowSet<Row> rows) {
            if (rows.size() != 1) {
                return Future.failedFuture("a look-up of one account returned " + rows.size() + " rows");
            }
            reads.incrementAndGet();
            if (targetPort.equals(rows.iterator().next().getString(1))) {
                readsOnTarget.incrementAndGet();
            }
            return Future.succeededFuture();
        }
    }
}
