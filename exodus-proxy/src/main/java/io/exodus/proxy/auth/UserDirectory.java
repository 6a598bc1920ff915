package io.exodus.proxy.auth;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.config.PostgresUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may log in through the proxy. By default the user of the source URL with its password, so that an
 * application keeps the credentials it used against the source; then the users listed in
 * {@code exodus.auth.users}; then, when enabled, any user whose secret the auth query finds on the source.
 */
public final class UserDirectory {
    private static final Logger LOG = Logger.getLogger(UserDirectory.class);

    private final Map<String, KnownUser> configured = new ConcurrentHashMap<>();
    private final AuthQuery authQuery;

    public UserDirectory(ExodusConfig.Auth config, PostgresUrl source, Vertx vertx) {
        // PostgreSQL never lets an empty password in, and neither does the proxy.
        if (!source.password().isEmpty()) {
            configured.put(source.user(), KnownUser.of(source.user(), new UserSecret.PlainPassword(source.password())));
        }
        config.users().forEach((name, password) -> {
            if (!password.isEmpty()) {
                configured.put(name, KnownUser.of(name, new UserSecret.PlainPassword(password)));
            }
        });
        this.authQuery = config.query().enabled() ? new AuthQuery(vertx, source, config.query().sql()) : null;
    }

    /** The user's secret, or empty when the proxy does not know the user. Never fails. */
    public Future<Optional<KnownUser>> lookup(String user) {
        KnownUser known = configured.get(user);
        if (known != null || authQuery == null) {
            return Future.succeededFuture(Optional.ofNullable(known));
        }
        return authQuery.secretOf(user)
                .map(secret -> secret.map(stored -> KnownUser.of(user, stored)))
                .recover(failure -> {
                    LOG.warnf("The auth query for user \"%s\" failed on the source: %s", user, failure.getMessage());
                    return Future.succeededFuture(Optional.empty());
                });
    }

    public void close() {
        if (authQuery != null) {
            authQuery.close();
        }
    }
}
