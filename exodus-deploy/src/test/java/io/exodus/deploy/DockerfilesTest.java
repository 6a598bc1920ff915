package io.exodus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What these machines can check of the images without a container engine to run them (docs/deploy.md says what was
 * built by hand): a non-root user, the same one the manifests run as; a health check on the service's live
 * endpoint and HTTP port; the exposed ports the service listens on; exec-form entry points; COPY sources that
 * exist; in JVM mode, an AOT cache made in the build and used by the entry point.
 */
class DockerfilesTest {
    private static final Path ROOT = ExodusServices.projectRoot();
    private static final Pattern AOT_CACHE = Pattern.compile("-XX:AOTCache=(\\S+)");

    static Stream<Arguments> dockerfiles() throws Exception {
        List<Arguments> all = new ArrayList<>();
        for (ShippedService service : ExodusServices.all()) {
            String module = service.image().substring(service.image().indexOf('/') + 1);
            for (String mode : List.of("jvm", "native")) {
                all.add(Arguments.of(module, mode, service));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dockerfiles")
    void imageRunsAsTheManifestsUserWithAHealthCheckOnTheServicesPorts(String module, String mode,
            ShippedService service) throws Exception {
        Path moduleDir = ROOT.resolve(module);
        Dockerfile dockerfile = Dockerfile.read(moduleDir.resolve("src/main/docker/Dockerfile." + mode));

        String user = dockerfile.last("USER").orElseThrow(() -> new AssertionError(dockerfile.path() + " has no USER"))
                .split(":")[0];
        assertEquals(manifestsUser(module), user, dockerfile.path() + ": USER must be the manifests' runAsUser");

        String httpPort = service.settings().effective(ShippedService.HTTP_PORT, Map.of()).orElseThrow();
        String healthCheck = dockerfile.last("HEALTHCHECK").orElseThrow(() -> new AssertionError(dockerfile.path()
                + " has no HEALTHCHECK"));
        assertTrue(healthCheck.contains("/dev/tcp/127.0.0.1/" + httpPort + " ")
                && healthCheck.contains("GET /q/health/live "), dockerfile.path() + ": the health check must ask"
                + " /q/health/live on port " + httpPort + ": " + healthCheck);

        TreeSet<String> listening = new TreeSet<>();
        service.ports().values().forEach(key -> listening.add(service.settings().effective(key, Map.of())
                .orElseThrow()));
        TreeSet<String> exposed = new TreeSet<>();
        dockerfile.all("EXPOSE").forEach(e -> exposed.addAll(Arrays.asList(e.split("\\s+"))));
        assertEquals(listening, exposed, dockerfile.path() + ": EXPOSE must list the ports the service listens on");

        String entrypoint = dockerfile.last("ENTRYPOINT").orElseThrow();
        assertTrue(entrypoint.startsWith("[\""), dockerfile.path() + ": ENTRYPOINT in exec form, so that SIGTERM"
                + " reaches the service and its graceful shutdown");

        for (String copy : dockerfile.all("COPY")) {
            String[] words = copy.replaceAll("--\\S+", "").strip().split("\\s+");
            String source = words[0];
            if (!source.startsWith("target/")) {
                assertTrue(Files.exists(moduleDir.resolve(source)), dockerfile.path() + ": COPY of missing " + source);
            }
        }

        if (mode.equals("jvm")) {
            Matcher cache = AOT_CACHE.matcher(entrypoint);
            assertTrue(cache.find(), dockerfile.path() + ": the JVM image starts from an AOT cache");
            String training = dockerfile.all("RUN").stream().filter(r -> r.contains("train-aot-cache.sh"))
                    .findFirst().orElseThrow(() -> new AssertionError(dockerfile.path() + ": no training run"));
            assertTrue(training.contains(" " + cache.group(1)), dockerfile.path() + ": the training writes "
                    + cache.group(1) + ", which the entry point reads");
            Path script = moduleDir.resolve("src/main/docker/train-aot-cache.sh");
            assertTrue(Files.isExecutable(script), script + " must be executable");
            Process syntax = new ProcessBuilder("bash", "-n", script.toString()).inheritIO().start();
            assertEquals(0, syntax.waitFor(), script + " has a syntax error");
        }
    }

    private static String manifestsUser(String module) throws Exception {
        Manifests manifests = Manifests.parse(Files.readString(ROOT.resolve("k8s/base").resolve(
                module.equals("exodus-proxy") ? "proxy.yaml" : "analyzer.yaml")));
        JsonNode pod = manifests.get("Deployment", module).path("spec").path("template").path("spec");
        return pod.path("securityContext").path("runAsUser").asText();
    }
}
