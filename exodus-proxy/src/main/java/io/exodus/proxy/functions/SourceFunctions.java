package io.exodus.proxy.functions;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.FunctionVolatility.CatalogRow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The source's functions, for telling reads from writes ({@link FunctionVolatility}): those of the server's own
 * schemas, read once at start-up, and those of each database, read when its first session starts and kept current
 * by its {@link DatabaseFunctions}. Every {@code exodus.migration.function-refresh} the functions of each database
 * with open sessions are read again, for changes made through another proxy.
 */
@ApplicationScoped
public class SourceFunctions {
    private static final Logger LOG = Logger.getLogger(SourceFunctions.class);
    private static final Duration IDLE = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final ExodusConfig config;
    private final BackendEndpoints endpoints;
    private final Map<String, DatabaseFunctions> databases = new ConcurrentHashMap<>();
    private final ControlConnections connections;
    private List<CatalogRow> builtins = List.of();
    private long refreshTimer = -1;

    public SourceFunctions(Vertx vertx, ExodusConfig config, BackendEndpoints endpoints) {
        this.vertx = vertx;
        this.config = config;
        this.endpoints = endpoints;
        // Closed soon after a reading: a connection held to a database whose sessions have gone would keep its
        // DROP DATABASE from running.
        this.connections = new ControlConnections(vertx, Duration.ofSeconds(10), IDLE);
    }

    /**
     * Reads the functions of the server's own schemas, on the start-up thread. Without them every call of a
     * function counts as a write: correct, only slower; said in the log.
     */
    public void start() {
        try {
            builtins = rows(connections.to(endpoints.source()).query(FunctionVolatility.BUILTIN_QUERY).execute()
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
            LOG.infof("Dual-write classification knows the %d functions of the source's own schemas; each "
                    + "database's own functions are read when its first session starts", builtins.size());
        } catch (Exception e) {
            LOG.warnf("Could not read the functions of the source's catalog (%s); every function call counts as a "
                    + "write until they can be read", e.getMessage());
        }
        long every = config.migration().functionRefresh().toMillis();
        if (every > 0) {
            refreshTimer = vertx.setPeriodic(every, id -> databases.values().forEach(functions -> {
                if (functions.hasSessions()) {
                    functions.read();
                }
            }));
        }
    }

    /** The functions of {@code database}, read now if no session asked before. */
    public DatabaseFunctions of(String database) {
        return databases.computeIfAbsent(database, name -> {
            DatabaseFunctions functions = new DatabaseFunctions(name, builtins, this::read, vertx);
            functions.read();
            return functions;
        });
    }

    /**
     * The databases that had sessions through this proxy at any time since {@code nanos} ({@link System#nanoTime}):
     * those that may have been written since.
     */
    public List<String> databasesInUseSince(long nanos) {
        List<String> inUse = new ArrayList<>();
        databases.forEach((name, functions) -> {
            if (functions.inUseSince(nanos)) {
                inUse.add(name);
            }
        });
        return inUse;
    }

    private Future<DatabaseFunctions.Reading> read(String database) {
        var pool = connections.to(endpoints.source(), database);
        return pool.query(FunctionVolatility.DATABASE_QUERY).execute().map(SourceFunctions::rows)
                .compose(rows -> pool.query(DatabaseFunctions.IMPLICIT_CODE).execute()
                        .map(found -> new DatabaseFunctions.Reading(rows, found.iterator().next().getBoolean(0)))
                        // A server that cannot answer it (no pg_depend as PostgreSQL has it) is taken to have such
                        // code: sessions read their settings for every queued transaction, as they always did.
                        .otherwise(failure -> new DatabaseFunctions.Reading(rows, true)));
    }

    private static List<CatalogRow> rows(Iterable<Row> result) {
        List<CatalogRow> rows = new ArrayList<>();
        for (Row row : result) {
            rows.add(new CatalogRow(row.getString(0), row.getString(1), String.valueOf(row.getValue(2)),
                    Boolean.TRUE.equals(row.getBoolean(3))));
        }
        return rows;
    }

    @PreDestroy
    void stop() {
        if (refreshTimer >= 0) {
            vertx.cancelTimer(refreshTimer);
        }
        connections.close();
    }
}
