package io.exodus.analyzer.config;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A libpq-style {@code postgresql://user:password@host:port/db?sslmode=…} URL as the Vert.x client connects with it.
 * As with libpq, sslmode {@code allow}, {@code prefer} and {@code require} encrypt without checking the server's
 * certificate; {@code verify-ca} and {@code verify-full} check it against the JVM's trusted authorities.
 *
 * @param role what the database is to the analyzer (source, target, store), for messages
 */
public record DatabaseUrl(String role, PgConnectOptions options) {

    public static DatabaseUrl parse(String role, String url, Duration connectTimeout) {
        PgConnectOptions options;
        try {
            options = PgConnectOptions.fromUri(url.strip());
        } catch (RuntimeException e) {
            // Vert.x's message repeats the URL, password included: redacted, and the cause left out of the trace.
            throw new IllegalArgumentException("exodus.analyzer." + role + "-url is not a postgresql://user:password@"
                    + "host:port/db URL: " + redacted(url) + " (" + redacted(String.valueOf(e.getMessage())) + ")");
        }
        SslMode sslMode = options.getSslMode();
        if (sslMode == SslMode.ALLOW || sslMode == SslMode.PREFER || sslMode == SslMode.REQUIRE) {
            options.setTrustAll(true);
        }
        options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        options.setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES);
        options.setPipeliningLimit(1);
        options.setCachePreparedStatements(false);
        options.setReconnectAttempts(0);
        options.getProperties().putIfAbsent("application_name", "exodus-analyzer");
        return new DatabaseUrl(role, options);
    }

    /** A small pool: the analyzer runs a handful of catalog queries at a time, never a workload. */
    public Pool pool(Vertx vertx, int maxSize) {
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(maxSize).setName("exodus-analyzer-" + role))
                .connectingTo(options).using(vertx).build();
    }

    /** user@host:port/db, without the password, for log lines and messages. */
    public String describe() {
        return role + " " + options.getUser() + "@" + options.getHost() + ":" + options.getPort() + "/"
                + options.getDatabase();
    }

    private static String redacted(String url) {
        return url.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@");
    }
}
