package io.exodus.proxy.backend;

import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.config.SslMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's own connections to the backends, apart from the clients' sessions: small pools that log in with the
 * credentials of the endpoint's URL, one per endpoint and database, opened on first use. Two-phase-commit recovery
 * needs one per database because COMMIT PREPARED only works in the database the transaction ran in.
 */
public final class ControlConnections implements AutoCloseable {
    private static final int MAX_SIZE = 2;
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String DATABASES = "SELECT datname FROM pg_catalog.pg_database "
            + "WHERE datallowconn AND NOT datistemplate ORDER BY datname";

    private final Vertx vertx;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    /** Settings every connection starts with (its startup packet's parameters). */
    private final Map<String, String> settings;
    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();

    public ControlConnections(Vertx vertx) {
        this(vertx, DEFAULT_CONNECT_TIMEOUT);
    }

    public ControlConnections(Vertx vertx, Duration connectTimeout) {
        this(vertx, connectTimeout, Duration.ZERO);
    }

    /**
     * @param idleTimeout how long an unused connection stays open (zero: for as long as the pool): a connection held
     *                    to a database nobody else uses keeps {@code DROP DATABASE} from running there
     */
    public ControlConnections(Vertx vertx, Duration connectTimeout, Duration idleTimeout) {
        this(vertx, connectTimeout, idleTimeout, Map.of());
    }

    private ControlConnections(Vertx vertx, Duration connectTimeout, Duration idleTimeout,
            Map<String, String> settings) {
        this.vertx = vertx;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.settings = settings;
    }

    /**
     * Connections for background work that must not hold up the application: a statement that would wait longer than
     * {@code lockTimeout} for a lock fails instead ({@code 55P03}). Its locks are then released long before
     * PostgreSQL's deadlock check (after {@code deadlock_timeout}, 1 s by default) could pick the application's
     * statement as the one to cancel.
     */
    public static ControlConnections yielding(Vertx vertx, Duration lockTimeout) {
        return new ControlConnections(vertx, DEFAULT_CONNECT_TIMEOUT, Duration.ZERO,
                Map.of("lock_timeout", Math.max(1, lockTimeout.toMillis()) + "ms"));
    }

    /** A pool to the database the endpoint's URL names. */
    public Pool to(BackendEndpoint endpoint) {
        return to(endpoint, endpoint.url().database());
    }

    public Pool to(BackendEndpoint endpoint, String database) {
        return pools.computeIfAbsent(new Key(endpoint, database), this::open);
    }

    /** The databases of the endpoint's server that take connections, templates left out, by name. */
    public Future<List<String>> databases(BackendEndpoint endpoint) {
        return to(endpoint).query(DATABASES).execute().map(rows -> {
            List<String> databases = new ArrayList<>();
            rows.forEach(row -> databases.add(row.getString(0)));
            return databases;
        });
    }

    private Pool open(Key key) {
        PgConnectOptions connect = options(key.endpoint(), key.database());
        // No pool-level wait limit: with one, every query sent while the server is down leaves a timer that later
        // fails an already failed promise (vertx-sql-client #1706, "Result is already complete" in the log).
        // Connecting is bounded by the connect timeout above.
        PoolOptions pool = new PoolOptions().setMaxSize(MAX_SIZE).setConnectionTimeout(0)
                .setName("exodus-control-" + key.endpoint().role() + "-" + key.database());
        if (!idleTimeout.isZero()) {
            int millis = (int) Math.max(1, idleTimeout.toMillis());
            pool.setIdleTimeout(millis).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setPoolCleanerPeriod(Math.min(millis, 1000));
        }
        return PgBuilder.pool()
                .with(pool)
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    /** How a control connection reaches the database: also for connections outside the pools (LISTEN). */
    public PgConnectOptions options(BackendEndpoint endpoint, String database) {
        PostgresUrl url = endpoint.url();
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(url.host())
                .setPort(url.port())
                .setUser(url.user())
                .setPassword(url.password())
                .setDatabase(database)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setSslMode(io.vertx.pgclient.SslMode.of(url.sslMode().text()))
                .setTrustAll(!url.sslMode().verifiesCertificate())
                .setHostnameVerificationAlgorithm(url.sslMode() == SslMode.VERIFY_FULL ? "HTTPS" : "");
        if (url.sslMode().verifiesCertificate()) {
            url.sslRootCert().ifPresent(file -> connect.setPemTrustOptions(new PemTrustOptions().addCertPath(file)));
        }
        connect.addProperty("application_name", "exodus-control");
        settings.forEach(connect::addProperty);
        return connect;
    }

    /**
     * Closes the pools to this database on every endpoint, so that Exodus holds no connection that would keep a
     * {@code DROP DATABASE} from running; a later {@link #to} opens a new one.
     */
    public Future<Void> close(String database) {
        List<Future<Void>> closing = new ArrayList<>();
        pools.entrySet().removeIf(entry -> {
            if (!entry.getKey().database().equals(database)) {
                return false;
            }
            closing.add(entry.getValue().close());
            return true;
        });
        return Future.join(closing).mapEmpty();
    }

    /** Closes every pool opened so far; later calls to {@link #to} open new ones. */
    public Future<Void> closeAll() {
        List<Future<Void>> closing = pools.values().stream().map(Pool::close).toList();
        pools.clear();
        return Future.join(closing).mapEmpty();
    }

    @Override
    public void close() {
        closeAll();
    }

    /** The endpoint's role and URL both count: the same role may point elsewhere after a configuration change. */
    private record Key(BackendEndpoint endpoint, String database) {
    }
}
