package io.exodus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import io.exodus.testcontainers.ExodusContainer;

/**
 * ExodusContainer runs the proxy's image as the manifests do, so it is held to the same checks: every variable it
 * sets is a setting of the proxy, it exposes the ports the proxy listens on and waits on its readiness path. Those
 * checks need no Docker engine. Starting it does, and the image built (docs/deploy.md); where neither exists, that
 * test says so and is skipped.
 */
class ExodusContainerTest {

    @Test
    void everyVariableItSetsIsASettingOfTheProxy() throws Exception {
        ShippedService proxy = proxy();
        ExodusContainer container = configured();
        List<String> unknown = new ArrayList<>();
        container.getEnvMap().keySet().forEach(variable -> {
            if (proxy.settings().keyOf(variable).isEmpty()) {
                unknown.add(variable);
            }
        });
        assertEquals(List.of(), unknown, "variables the proxy does not read");
        assertEquals(Set.of("EXODUS_SOURCE_URL", "EXODUS_TARGET_URL", "EXODUS_MIGRATION_PHASE", "EXODUS_ADMIN_TOKEN",
                "EXODUS_TLS_MODE"), container.getEnvMap().keySet());
    }

    @Test
    void itExposesThePortsTheProxyListensOnAndWaitsOnItsReadinessPath() throws Exception {
        ShippedService proxy = proxy();
        ExodusContainer container = configured();
        Set<Integer> listened = new TreeSet<>();
        for (String key : proxy.ports().values()) {
            listened.add(Integer.parseInt(proxy.settings().effective(key, container.getEnvMap()).orElseThrow()));
        }
        assertEquals(listened, new TreeSet<>(container.getExposedPorts()));
        assertEquals(proxy.healthPath(container.getEnvMap()) + "/ready", ExodusContainer.READINESS_PATH);
        assertEquals(proxy.image(), ExodusContainer.DEFAULT_IMAGE.getRepository());
    }

    @Test
    void aDatabaseContainerIsReachedByItsAliasOnTheProxysNetwork() {
        try (Network network = Network.newNetwork();
                PostgreSQLContainer source = new PostgreSQLContainer("postgres:15").withNetwork(network)
                        .withDatabaseName("shop").withUsername("app").withPassword("p@ss word");
                ExodusContainer exodus = new ExodusContainer().withSource(source)) {
            assertEquals("postgresql://app:p%40ss%20word@exodus-source:5432/shop?sslmode=disable",
                    exodus.getEnvMap().get("EXODUS_SOURCE_URL"));
            assertEquals(network, exodus.getNetwork());
            assertTrue(source.getNetworkAliases().contains(ExodusContainer.SOURCE_ALIAS), source.getNetworkAliases()
                    .toString());
            assertTrue(exodus.getDependencies().contains(source), "the source starts before the proxy");
        }
    }

    /** Not run on the project's machines: no Docker engine runs there (docs/deploy.md says what was verified). */
    @Test
    void relaysAQueryToAPostgresContainerWhereADockerEngineAndTheImageExist() throws Exception {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine answers here: ExodusContainer was not started (its settings are checked above)");
        Assumptions.assumeTrue(DockerClientFactory.instance().client().listImagesCmd()
                .withImageNameFilter(ExodusContainer.DEFAULT_IMAGE.asCanonicalNameString()).exec().size() > 0,
                ExodusContainer.DEFAULT_IMAGE + " is not built (docs/deploy.md, Images)");
        try (PostgreSQLContainer source = new PostgreSQLContainer(DockerImageName.parse("postgres:15"));
                ExodusContainer exodus = new ExodusContainer().withSource(source)) {
            exodus.start();
            try (Connection connection = DriverManager.getConnection(exodus.getJdbcUrl(source.getDatabaseName()),
                    source.getUsername(), source.getPassword());
                    ResultSet answer = connection.createStatement().executeQuery("SELECT 41 + 1")) {
                answer.next();
                assertEquals(42, answer.getInt(1));
            }
        }
    }

    private static ExodusContainer configured() {
        return new ExodusContainer().withSourceUrl("postgresql://app:secret@old-db:5432/shop")
                .withTargetUrl("postgresql://app:secret@new-db:5432/shop").withPhase("dual-write")
                .withAdminToken("secret");
    }

    private static ShippedService proxy() throws Exception {
        return ExodusServices.all().stream().filter(s -> s.image().equals("exodus/exodus-proxy")).findFirst()
                .orElseThrow();
    }
}
