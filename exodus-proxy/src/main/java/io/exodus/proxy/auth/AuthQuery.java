package io.exodus.proxy.auth;

import io.exodus.proxy.config.PostgresUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * Looks up a user's stored secret on the source, as PgBouncer's auth_query does: the proxy then accepts every
 * user of the source with the password it already has, without a copy of the user list.
 */
final class AuthQuery {
    private final Pool pool;
    private final String sql;

    AuthQuery(Vertx vertx, PostgresUrl source, String sql) {
        this.sql = sql;
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(source.host())
                .setPort(source.port())
                .setUser(source.user())
                .setPassword(source.password())
                .setDatabase(source.database())
                .setSslMode(SslMode.of(source.sslMode().text()))
                .setTrustAll(!source.sslMode().verifiesCertificate());
        this.pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(2).setName("exodus-auth-query"))
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    /** The stored secret of the user, or empty if the source has no such user or no password for it. */
    Future<Optional<UserSecret>> secretOf(String user) {
        return pool.preparedQuery(sql).execute(Tuple.of(user)).map(AuthQuery::firstSecret);
    }

    private static Optional<UserSecret> firstSecret(RowSet<Row> rows) {
        for (Row row : rows) {
            String stored = row.getString(1);
            return stored == null ? Optional.empty() : Optional.of(UserSecret.fromStored(stored));
        }
        return Optional.empty();
    }

    void close() {
        pool.close();
    }
}
