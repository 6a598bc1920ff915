package io.exodus.testcontainers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Exodus' proxy image in front of PostgreSQL containers of the user's own, for integration tests that want their
 * application to talk to the database through Exodus:
 *
 * <pre>{@code
 * Network network = Network.newNetwork();
 * PostgreSQLContainer source = new PostgreSQLContainer("postgres:15").withNetwork(network);
 * PostgreSQLContainer target = new PostgreSQLContainer("postgres:17").withNetwork(network);
 * ExodusContainer exodus = new ExodusContainer().withSource(source).withTarget(target).withPhase("dual-write");
 * exodus.start();
 * DriverManager.getConnection(exodus.getJdbcUrl(source.getDatabaseName()), source.getUsername(), source.getPassword());
 * }</pre>
 *
 * The proxy reaches the databases over a container network by their aliases ({@link #SOURCE_ALIAS},
 * {@link #TARGET_ALIAS}); {@code withSource}/{@code withTarget} put them on the proxy's network and give them those
 * aliases. Clients log in with the databases' own users: the proxy authenticates them against the source. The
 * container counts as started once the proxy's readiness check answers, which needs the source.
 */
public class ExodusContainer extends GenericContainer<ExodusContainer> {
    /** The proxy image docs/deploy.md builds; {@code new ExodusContainer(DockerImageName)} for another tag. */
    public static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse("exodus/exodus-proxy:0.1.0");
    /** exodus.listen.port's default: where clients connect. */
    public static final int POSTGRES_PORT = 6432;
    /** quarkus.http.port's default: health, metrics and the admin API. */
    public static final int HTTP_PORT = 8080;
    /** The readiness check the manifests probe too: up once the source answers. */
    public static final String READINESS_PATH = "/q/health/ready";
    public static final String SOURCE_ALIAS = "exodus-source";
    public static final String TARGET_ALIAS = "exodus-target";

    static final String SOURCE_URL = "EXODUS_SOURCE_URL";
    static final String TARGET_URL = "EXODUS_TARGET_URL";
    static final String PHASE = "EXODUS_MIGRATION_PHASE";
    static final String ADMIN_TOKEN = "EXODUS_ADMIN_TOKEN";
    static final String TLS_MODE = "EXODUS_TLS_MODE";
    /** PostgreSQL's port inside its own container, where the proxy reaches it over the network. */
    private static final int DATABASE_PORT = 5432;

    public ExodusContainer() {
        this(DEFAULT_IMAGE);
    }

    public ExodusContainer(DockerImageName image) {
        super(image);
        withExposedPorts(POSTGRES_PORT, HTTP_PORT);
        // A test's clients connect over the host's loopback: TLS would only add a certificate to trust.
        withEnv(TLS_MODE, "disable");
        waitingFor(Wait.forHttp(READINESS_PATH).forPort(HTTP_PORT).forStatusCode(200));
    }

    /** The source database: a container, reached over the network as {@link #SOURCE_ALIAS}. */
    public ExodusContainer withSource(JdbcDatabaseContainer<?> source) {
        return withSourceUrl(attach(source, SOURCE_ALIAS));
    }

    /** The target database: a container, reached over the network as {@link #TARGET_ALIAS}. */
    public ExodusContainer withTarget(JdbcDatabaseContainer<?> target) {
        return withTargetUrl(attach(target, TARGET_ALIAS));
    }

    /** The source by a libpq URL the proxy's container can reach, e.g. {@code postgresql://u:p@host:5432/db}. */
    public ExodusContainer withSourceUrl(String url) {
        return withEnv(SOURCE_URL, url);
    }

    public ExodusContainer withTargetUrl(String url) {
        return withEnv(TARGET_URL, url);
    }

    /** {@code direct} (the default), {@code dual-write}, …: docs/cutover.md names the phases. */
    public ExodusContainer withPhase(String phase) {
        return withEnv(PHASE, phase);
    }

    /** The bearer token the admin API asks for ({@link #getAdminUrl()}). */
    public ExodusContainer withAdminToken(String token) {
        return withEnv(ADMIN_TOKEN, token);
    }

    /** A JDBC URL to {@code database} through the proxy, from the host the test runs on. */
    public String getJdbcUrl(String database) {
        return "jdbc:postgresql://" + getHost() + ":" + getMappedPort(POSTGRES_PORT) + "/" + database
                + "?sslmode=disable";
    }

    /** The proxy's HTTP base URL from the test's host: {@code /exodus/migration}, {@code /q/metrics}, … */
    public String getAdminUrl() {
        return "http://" + getHost() + ":" + getMappedPort(HTTP_PORT);
    }

    /** Puts the database on this container's network under the alias, and starts it before the proxy. */
    private String attach(JdbcDatabaseContainer<?> database, String alias) {
        if (getNetwork() == null) {
            withNetwork(database.getNetwork() != null ? database.getNetwork() : Network.newNetwork());
        }
        database.withNetwork(getNetwork());
        List<String> aliases = database.getNetworkAliases();
        if (!aliases.contains(alias)) {
            database.withNetworkAliases(alias);
        }
        dependsOn(database);
        return "postgresql://" + encoded(database.getUsername()) + ":" + encoded(database.getPassword()) + "@" + alias
                + ":" + DATABASE_PORT + "/" + encoded(database.getDatabaseName()) + "?sslmode=disable";
    }

    private static String encoded(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
