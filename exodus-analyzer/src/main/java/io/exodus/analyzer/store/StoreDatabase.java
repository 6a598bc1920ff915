package io.exodus.analyzer.store;

import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.config.DatabaseUrl;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The analyzer's own database: the configured store URL, or the embedded server. Reached at start-up, where its
 * tables are created, so that a wrong URL stops the analyzer with a clear message instead of failing every capture.
 */
@ApplicationScoped
public class StoreDatabase {
    private static final Logger LOG = Logger.getLogger(StoreDatabase.class);
    private static final int POOL_SIZE = 4;
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);

    private final AnalyzerConfig config;
    private final EmbeddedStore embedded;
    private final Vertx vertx;
    private volatile Pool pool;

    StoreDatabase(AnalyzerConfig config, EmbeddedStore embedded, Vertx vertx) {
        this.config = config;
        this.embedded = embedded;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent start) throws Exception {
        String url = config.storeUrl().orElseGet(() -> embedded.start(config.embedded().dataDir()));
        DatabaseUrl store = DatabaseUrl.parse("store", url, config.connectTimeout());
        Pool created = store.pool(vertx, POOL_SIZE);
        Future<Void> schema = Future.succeededFuture();
        for (String statement : StoreSchema.CREATE) {
            schema = schema.compose(done -> created.query(statement).execute().mapEmpty());
        }
        try {
            schema.toCompletionStage().toCompletableFuture().get(SCHEMA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            created.close();
            throw new IllegalStateException("Could not prepare the analyzer's store at " + store.describe() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
        pool = created;
        LOG.infof("Captured traffic is stored in %s (schema exodus_analyzer)", store.describe());
    }

    /** The store's pool; present from start-up on. */
    public Pool pool() {
        Pool current = pool;
        if (current == null) {
            throw new IllegalStateException("The analyzer's store is not ready yet");
        }
        return current;
    }

    @PreDestroy
    void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
