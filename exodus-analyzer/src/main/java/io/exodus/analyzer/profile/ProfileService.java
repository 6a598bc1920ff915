package io.exodus.analyzer.profile;

import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.config.DatabaseUrl;
import io.exodus.analyzer.profile.WorkloadProfile.FunctionUse;
import io.exodus.analyzer.store.StoreDatabase;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the {@link MigrationProfile}: the source's and the target's catalogs and the captured workload, read side by
 * side, then the workload's function calls matched against the source's catalog. Nothing is cached: each request
 * reads the databases as they are now. Started with the application, so that a malformed URL stops it at once.
 */
@Startup
@ApplicationScoped
public class ProfileService {
    private static final Logger LOG = Logger.getLogger(ProfileService.class);
    private static final int POOL_SIZE = 4;
    private static final Map<String, String> VOLATILITY = Map.of("v", "volatile", "s", "stable", "i", "immutable");

    private final AnalyzerConfig config;
    private final StoreDatabase store;
    private final Optional<DatabaseUrl> sourceUrl;
    private final Optional<DatabaseUrl> targetUrl;
    private final Optional<Pool> source;
    private final Optional<Pool> target;

    ProfileService(AnalyzerConfig config, StoreDatabase store, Vertx vertx) {
        this.config = config;
        this.store = store;
        this.sourceUrl = config.sourceUrl().map(url -> DatabaseUrl.parse("source", url, config.connectTimeout()));
        this.targetUrl = config.targetUrl().map(url -> DatabaseUrl.parse("target", url, config.connectTimeout()));
        this.source = sourceUrl.map(url -> url.pool(vertx, POOL_SIZE));
        this.target = targetUrl.map(url -> url.pool(vertx, POOL_SIZE));
        LOG.infof("Analyzing %s%s", sourceUrl.map(DatabaseUrl::describe).orElse("no source (set exodus.analyzer.source-url)"),
                targetUrl.map(url -> " and " + url.describe()).orElse(", no target (exodus.analyzer.target-url)"));
    }

    public Future<MigrationProfile> profile() {
        if (source.isEmpty()) {
            return Future.failedFuture(new ProfileUnavailable("No source database configured: set "
                    + "exodus.analyzer.source-url (EXODUS_ANALYZER_SOURCE_URL) to postgresql://user:password@host:port/db",
                    null));
        }
        Future<DatabaseProfile> sourceProfile = catalog(source.get(), sourceUrl.get());
        Future<DatabaseProfile> targetProfile = target.isEmpty() ? Future.succeededFuture(null)
                : catalog(target.get(), targetUrl.get());
        WorkloadReader workloadReader = new WorkloadReader(store.pool());
        Future<WorkloadProfile> workload = workloadReader.read()
                .compose(captured -> withVolatility(captured, source.get()));
        return Future.all(sourceProfile, targetProfile, workload).compose(done -> {
            List<String> volatileFunctions = workload.result().functions().stream()
                    .filter(function -> function.volatility().equals("volatile")).map(FunctionUse::name).toList();
            return workloadReader.statementsCalling(volatileFunctions).map(statements -> new MigrationProfile(
                    OffsetDateTime.now(ZoneOffset.UTC), sourceProfile.result(), targetProfile.result(),
                    workload.result(), statements));
        });
    }

    private Future<DatabaseProfile> catalog(Pool pool, DatabaseUrl url) {
        return CatalogReader.read(pool, url.role(), config.longTransaction()).recover(failure -> Future.failedFuture(
                new ProfileUnavailable("Could not read the " + url.describe() + ": " + failure.getMessage(), failure)));
    }

    /** The workload's functions with their volatility on the source (where the statements run today). */
    private static Future<WorkloadProfile> withVolatility(WorkloadProfile workload, Pool source) {
        if (workload.functions().isEmpty()) {
            return Future.succeededFuture(workload);
        }
        String[] names = workload.functions().stream().map(FunctionUse::name).toArray(String[]::new);
        Tuple parameters = Tuple.tuple(List.of((Object) names));
        return source.preparedQuery(CatalogQueries.FUNCTION_VOLATILITY).execute(parameters).map(rows -> {
            Map<String, String> volatility = new HashMap<>();
            rows.forEach(row -> volatility.put(row.getString("name"), VOLATILITY.get(row.getString("volatility"))));
            return workload.withFunctions(workload.functions().stream().map(function -> new FunctionUse(
                    function.name(), function.statements(), function.calls(),
                    volatility.getOrDefault(function.name(), "unknown"))).toList());
        }).otherwise(workload); // an unreachable source fails the profile on its own, with a clearer message
    }

    @PreDestroy
    void close() {
        source.ifPresent(Pool::close);
        target.ifPresent(Pool::close);
    }
}
