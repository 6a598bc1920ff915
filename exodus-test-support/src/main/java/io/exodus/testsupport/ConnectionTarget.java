package io.exodus.testsupport;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import org.postgresql.Driver;

import io.exodus.localpg.LocalPostgres;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/**
 * Where and as whom a client connects: a server, or the proxy in front of it. Shared by {@link Psql},
 * {@link Pgbench}, JDBC and the Vert.x client so that every client is pointed at the same place the same way.
 *
 * @param sslmode a libpq sslmode: disable, allow, prefer, require, verify-ca or verify-full
 */
public record ConnectionTarget(String host, int port, String user, String password, String database,
        String sslmode) {

    public ConnectionTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(sslmode, "sslmode");
    }

    /** A plain (non-TLS) connection to 127.0.0.1:port, such as the proxy's listen port. */
    public static ConnectionTarget local(int port, String user, String password, String database) {
        return new ConnectionTarget(LocalPostgres.HOST, port, user, password, database, "disable");
    }

    /** A plain connection straight to a server. */
    public static ConnectionTarget of(LocalPostgres server, String user, String password, String database) {
        return new ConnectionTarget(server.host(), server.port(), user, password, database, "disable");
    }

    /** The superuser on the server's "postgres" database. */
    public static ConnectionTarget superuser(LocalPostgres server) {
        return of(server, server.superuser(), server.superuserPassword(), TestUsers.DEFAULT_DATABASE);
    }

    public ConnectionTarget withPort(int newPort) {
        return new ConnectionTarget(host, newPort, user, password, database, sslmode);
    }

    public ConnectionTarget withUser(String newUser, String newPassword) {
        return new ConnectionTarget(host, port, newUser, newPassword, database, sslmode);
    }

    public ConnectionTarget withDatabase(String newDatabase) {
        return new ConnectionTarget(host, port, user, password, newDatabase, sslmode);
    }

    public ConnectionTarget withSslmode(String newSslmode) {
        return new ConnectionTarget(host, port, user, password, database, newSslmode);
    }

    /** postgresql://user:password@host:port/database?sslmode=..., with every part encoded. */
    public String url() {
        return "postgresql://" + encoded(user) + ":" + encoded(password) + "@" + host + ":" + port + "/"
                + encoded(database) + "?sslmode=" + sslmode;
    }

    /** A pgJDBC URL without credentials; {@link #openJdbc()} passes them separately. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + encoded(database) + "?sslmode=" + sslmode;
    }

    public Connection openJdbc() throws SQLException {
        return openJdbc(new Properties());
    }

    /**
     * @param extra further pgJDBC connection properties, such as socketTimeout or loginTimeout (seconds); they
     *              override the defaults here, but not the user and password
     */
    public Connection openJdbc(Properties extra) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "10");
        properties.putAll(extra);
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        // The driver directly, not DriverManager: DriverManager hides drivers registered by another class loader,
        // and Quarkus tests run in a fresh class loader per test profile.
        Connection connection = new Driver().connect(jdbcUrl(), properties);
        if (connection == null) {
            throw new SQLException("pgJDBC does not accept the URL " + jdbcUrl());
        }
        return connection;
    }

    /**
     * Options for io.vertx.pgclient. As with libpq, "allow", "prefer" and "require" encrypt without checking the
     * server's certificate; for verify-ca and verify-full add trust options to the result.
     */
    public PgConnectOptions pgConnectOptions() {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setUser(user)
                .setPassword(password)
                .setDatabase(database)
                .setSslMode(SslMode.of(sslmode));
        if (sslmode.equals("allow") || sslmode.equals("prefer") || sslmode.equals("require")) {
            options.setTrustAll(true);
        }
        return options;
    }

    /** The libpq environment (PGHOST, PGPORT, ...) that points psql, pgbench and friends here. */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", host);
        environment.put("PGPORT", String.valueOf(port));
        environment.put("PGUSER", user);
        environment.put("PGPASSWORD", password);
        environment.put("PGDATABASE", database);
        environment.put("PGSSLMODE", sslmode);
        environment.put("PGCONNECT_TIMEOUT", "10");
        return environment;
    }

    @Override
    public String toString() {
        // Keeps passwords out of test reports.
        return "ConnectionTarget[" + user + "@" + host + ":" + port + "/" + database + ", sslmode=" + sslmode + "]";
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
