package io.exodus.proxy.auth;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.config.PostgresUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Who may log in through the proxy. By default the user of the source URL with its password, so that an
 * application keeps the credentials it used against the source; then the users listed in
 * {@code exodus.auth.users}; then, when enabled, any user whose secret the auth query finds on the source, or on the
 * target once the source is retired: the source may be shut down then, and every session logs in to the target alone.
 * While both are in use the source is asked, since a login must pass on both with the one secret.
 */
public final class UserDirectory {
    private static final Logger LOG = Logger.getLogger(UserDirectory.class);

    private final Map<String, KnownUser> configured = new ConcurrentHashMap<>();
    private final AuthQuery sourceQuery;
    private final AuthQuery targetQuery;
    private final BooleanSupplier sourceRetired;

    /**
     * @param target        the target's URL, when there is a target
     * @param sourceRetired whether the source is retired now (the phase may change at run time)
     */
    public UserDirectory(ExodusConfig.Auth config, PostgresUrl source, Optional<PostgresUrl> target,
            BooleanSupplier sourceRetired, Vertx vertx) {
        // PostgreSQL never lets an empty password in, and neither does the proxy.
        if (!source.password().isEmpty()) {
            configured.put(source.user(), KnownUser.of(source.user(), new UserSecret.PlainPassword(source.password())));
        }
        config.users().forEach((name, password) -> {
            if (!password.isEmpty()) {
                configured.put(name, KnownUser.of(name, new UserSecret.PlainPassword(password)));
            }
        });
        boolean query = config.query().enabled();
        this.sourceQuery = query ? new AuthQuery(vertx, source, config.query().sql()) : null;
        this.targetQuery = query ? target.map(url -> new AuthQuery(vertx, url, config.query().sql())).orElse(null)
                : null;
        this.sourceRetired = sourceRetired;
    }

    /** The user's secret, or empty when the proxy does not know the user. Never fails. */
    public Future<Optional<KnownUser>> lookup(String user) {
        KnownUser known = configured.get(user);
        boolean onTarget = targetQuery != null && sourceRetired.getAsBoolean();
        AuthQuery query = onTarget ? targetQuery : sourceQuery;
        if (known != null || query == null) {
            return Future.succeededFuture(Optional.ofNullable(known));
        }
        return query.secretOf(user)
                .map(secret -> secret.map(stored -> KnownUser.of(user, stored)))
                .recover(failure -> {
                    LOG.warnf("The auth query for user \"%s\" failed on the %s: %s", user,
                            onTarget ? "target" : "source", failure.getMessage());
                    return Future.succeededFuture(Optional.empty());
                });
    }

    public void close() {
        if (sourceQuery != null) {
            sourceQuery.close();
        }
        if (targetQuery != null) {
            targetQuery.close();
        }
    }
}
