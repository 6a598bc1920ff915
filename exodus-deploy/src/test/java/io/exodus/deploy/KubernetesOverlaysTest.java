package io.exodus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * k8s/overlays rendered by kustomize, every object checked against the Kubernetes API's schema and against the
 * proxy's and the analyzer's real configuration; then the same checks shown to catch a wrong port, a misspelt
 * variable, an unknown field, a wrong probe and a drain longer than the grace period.
 */
class KubernetesOverlaysTest {
    private static final Path K8S = ExodusServices.projectRoot().resolve("k8s");
    private static final Map<String, Manifests> RENDERED = new HashMap<>();
    private static List<ShippedService> services;

    @BeforeAll
    static void render() throws Exception {
        // kubectl is not among the tools every machine of this kind is known to have: without it these checks are
        // skipped with the reason, rather than failing a suite whose other modules say nothing about it.
        Assumptions.assumeTrue(Kustomize.available(), "kubectl (1.27 or later) is not on the PATH: the Kubernetes "
                + "overlays are not rendered or checked; install it, or point -Dexodus.kubectl at it");
        services = ExodusServices.all();
        for (String overlay : List.of("dev", "prod")) {
            RENDERED.put(overlay, Manifests.parse(Kustomize.render(K8S.resolve("overlays").resolve(overlay))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void overlayMatchesTheKubernetesSchemasAndTheServicesConfiguration(String overlay) {
        Manifests manifests = RENDERED.get(overlay);
        assertEquals(List.of(), ManifestChecks.problems(manifests, services));
        for (String kind : List.of("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy")) {
            assertTrue(manifests.ofKind(kind).findAny().isPresent(), overlay + " renders no " + kind);
        }
    }

    @Test
    void prodRunsThreeProxiesOnePerNodeAndKeepsTwoThroughADrain() {
        Manifests prod = RENDERED.get("prod");
        ObjectNode proxy = prod.get("Deployment", "exodus-proxy");
        assertEquals(3, proxy.path("spec").path("replicas").asInt());
        assertTrue(proxy.path("spec").path("template").path("spec").path("affinity").path("podAntiAffinity")
                .has("requiredDuringSchedulingIgnoredDuringExecution"));
        assertEquals(2, prod.get("PodDisruptionBudget", "exodus-proxy").path("spec").path("minAvailable").asInt());
        assertEquals("prod", proxy.path("spec").path("template").path("metadata").path("labels")
                .path("tags.datadoghq.com/env").asText());
    }

    @Test
    void aContainerPortOtherThanTheListenPortFails() {
        Manifests broken = RENDERED.get("prod").copy();
        ports(broken).get(0).put("containerPort", 6543);
        assertProblem(broken, "Deployment exodus-proxy: declares container port postgres as 6543, but exodus-proxy"
                + " listens on 6432 (exodus.listen.port)");
    }

    @Test
    void aMisspeltVariableFails() {
        Manifests broken = RENDERED.get("prod").copy();
        ObjectNode variable = (ObjectNode) proxyContainer(broken).path("env").get(0);
        variable.put("name", "EXODUS_SOURCE_UR");
        assertProblem(broken, "Deployment exodus-proxy: sets EXODUS_SOURCE_UR, which exodus-proxy does not read:"
                + " no configuration key maps to it");
        assertProblem(broken, "Deployment exodus-proxy: does not set EXODUS_SOURCE_URL (exodus.source.url) for"
                + " exodus-proxy");
    }

    @Test
    void aMisspeltVariableInTheConfigMapFails() {
        Manifests broken = RENDERED.get("prod").copy();
        ObjectNode configMap = broken.ofKind("ConfigMap").filter(c -> Manifests.name(c).startsWith("exodus-proxy"))
                .findFirst().orElseThrow();
        ObjectNode data = (ObjectNode) configMap.path("data");
        data.put("EXODUS_SHUTDOWN_TIMOUT", data.remove("EXODUS_SHUTDOWN_TIMEOUT").asText());
        assertProblem(broken, "ConfigMap " + Manifests.name(configMap) + ": sets EXODUS_SHUTDOWN_TIMOUT, which"
                + " exodus-proxy does not read: no configuration key maps to it");
    }

    @Test
    void aFieldTheKubernetesApiDoesNotKnowFails() {
        Manifests broken = RENDERED.get("dev").copy();
        ((ObjectNode) proxyContainer(broken).path("readinessProbe").path("httpGet")).put("pth", "/q/health/ready");
        assertProblem(broken, "Deployment exodus-proxy: does not match the Kubernetes schema: The field `pth` in the"
                + " JSON string is not defined in the `V1HTTPGetAction` properties.");
    }

    @Test
    void aProbeOnAnotherPathFails() {
        Manifests broken = RENDERED.get("dev").copy();
        ((ObjectNode) proxyContainer(broken).path("livenessProbe").path("httpGet")).put("path", "/health/live");
        assertProblem(broken, "Deployment exodus-proxy: livenessProbe asks /health/live, but exodus-proxy answers it"
                + " on /q/health/live");
    }

    @Test
    void aGracePeriodShorterThanTheDrainFails() {
        Manifests broken = RENDERED.get("prod").copy();
        ((ObjectNode) broken.get("Deployment", "exodus-proxy").path("spec").path("template").path("spec"))
                .put("terminationGracePeriodSeconds", 30);
        assertProblem(broken, "Deployment exodus-proxy: terminationGracePeriodSeconds 30 does not cover preStop (5 s)"
                + " plus exodus.shutdown.timeout (30 s)");
    }

    /** The same through kustomize: an overlay of the user's that moves the proxy's port without telling it. */
    @Test
    void anOverlayThatMovesThePortWithoutTheSettingFails(@TempDir Path overlay) throws Exception {
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                patches:
                  - target: { kind: Deployment, name: exodus-proxy }
                    patch: |-
                      - op: replace
                        path: /spec/template/spec/containers/0/ports/0/containerPort
                        value: 5432
                """.formatted(overlay.relativize(K8S.resolve("overlays/prod"))));
        Manifests rendered = Manifests.parse(Kustomize.render(overlay));
        assertProblem(rendered, "Deployment exodus-proxy: declares container port postgres as 5432, but exodus-proxy"
                + " listens on 6432 (exodus.listen.port)");
        assertProblem(rendered, "NetworkPolicy exodus-proxy: lets in port 6432, on which exodus-proxy does not listen");
    }

    private static void assertProblem(Manifests manifests, String expected) {
        List<String> problems = ManifestChecks.problems(manifests, services);
        assertTrue(problems.contains(expected), "expected «" + expected + "» among " + problems);
    }

    private static ObjectNode proxyContainer(Manifests manifests) {
        return (ObjectNode) manifests.get("Deployment", "exodus-proxy").path("spec").path("template").path("spec")
                .path("containers").get(0);
    }

    private static List<ObjectNode> ports(Manifests manifests) {
        List<ObjectNode> ports = new java.util.ArrayList<>();
        proxyContainer(manifests).path("ports").forEach(p -> ports.add((ObjectNode) p));
        return ports;
    }
}
