package io.exodus.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a rendered overlay against the Kubernetes API's schemas and against the services it runs: every problem is
 * one line naming the object and what to change, so that a test failure reads as a review comment.
 */
final class ManifestChecks {
    private static final Pattern DURATION = Pattern.compile("(?i)(\\d+)(ms|s|m|h)?");
    private static final List<String> TAGGING_LABELS =
            List.of("tags.datadoghq.com/env", "tags.datadoghq.com/service", "tags.datadoghq.com/version");

    private final List<ShippedService> services;
    private final List<String> problems = new ArrayList<>();

    private ManifestChecks(List<ShippedService> services) {
        this.services = services;
    }

    static List<String> problems(Manifests manifests, List<ShippedService> services) {
        ManifestChecks checks = new ManifestChecks(services);
        checks.check(manifests);
        return checks.problems;
    }

    private void check(Manifests manifests) {
        for (ObjectNode object : manifests.objects()) {
            KubernetesSchema.violation(object).ifPresent(v -> problem(object, "does not match the Kubernetes schema: "
                    + v.split(" JSON: ")[0]));
        }
        manifests.ofKind("Deployment").forEach(deployment -> checkDeployment(manifests, deployment));
        manifests.ofKind("Service").forEach(service -> checkService(manifests, service));
        manifests.ofKind("NetworkPolicy").forEach(policy -> checkNetworkPolicy(manifests, policy));
    }

    private void checkDeployment(Manifests manifests, ObjectNode deployment) {
        JsonNode pod = deployment.path("spec").path("template");
        for (String label : TAGGING_LABELS) {
            if (deployment.path("metadata").path("labels").path(label).asText("").isEmpty()
                    || pod.path("metadata").path("labels").path(label).asText("").isEmpty()) {
                problem(deployment, "lacks the Unified Service Tagging label " + label + " on itself or its pods");
            }
        }
        for (JsonNode container : pod.path("spec").path("containers")) {
            String image = container.path("image").asText();
            Optional<ShippedService> service = services.stream()
                    .filter(s -> image.startsWith(s.image() + ":") || image.equals(s.image())).findFirst();
            if (service.isEmpty()) {
                problem(deployment, "runs image " + image + ", which is none of Exodus' images");
                continue;
            }
            Map<String, String> environment = environment(manifests, deployment, container, service.get());
            checkPorts(deployment, container, service.get(), environment);
            checkProbes(deployment, container, service.get(), environment);
            service.get().drainKey().ifPresent(key -> checkDrain(deployment, container, service.get(), key,
                    environment));
            if (service.get().replicated()) {
                checkAvailability(manifests, deployment);
            }
        }
    }

    /** The variables the container gets, with their literal values ("" for those from a Secret or a field). */
    private Map<String, String> environment(Manifests manifests, ObjectNode deployment, JsonNode container,
            ShippedService service) {
        Map<String, String> environment = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            String name = source.path("configMapRef").path("name").asText(null);
            if (name == null) {
                problem(deployment, "takes variables from something other than a ConfigMap: " + source);
                continue;
            }
            Optional<ObjectNode> configMap = manifests.find("ConfigMap", name);
            if (configMap.isEmpty()) {
                problem(deployment, "takes its variables from ConfigMap " + name + ", which the overlay lacks");
                continue;
            }
            configMap.get().path("data").fields().forEachRemaining(e -> {
                checkVariable(configMap.get(), e.getKey(), service);
                environment.put(e.getKey(), e.getValue().asText());
            });
        }
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            checkVariable(deployment, name, service);
            environment.put(name, variable.path("value").asText(""));
        }
        for (String key : service.requiredKeys()) {
            if (!environment.containsKey(ServiceSettings.environmentName(key))) {
                problem(deployment, "does not set " + ServiceSettings.environmentName(key) + " (" + key + ") for "
                        + service.settings().service());
            }
        }
        return environment;
    }

    private void checkVariable(ObjectNode owner, String name, ShippedService service) {
        if (service.imageVariables().contains(name)) {
            return;
        }
        if (service.settings().keyOf(name).isEmpty()) {
            problem(owner, "sets " + name + ", which " + service.settings().service()
                    + " does not read: no configuration key maps to it");
        }
    }

    private void checkPorts(ObjectNode deployment, JsonNode container, ShippedService service,
            Map<String, String> environment) {
        Map<String, Integer> declared = new HashMap<>();
        for (JsonNode port : container.path("ports")) {
            declared.put(port.path("name").asText(""), port.path("containerPort").asInt());
        }
        for (Map.Entry<String, Integer> port : declared.entrySet()) {
            String key = service.ports().get(port.getKey());
            if (key == null) {
                problem(deployment, "declares container port " + port.getKey() + " (" + port.getValue() + "), on which "
                        + service.settings().service() + " does not listen; its ports are " + service.ports().keySet());
                continue;
            }
            Optional<String> listening = service.settings().effective(key, environment);
            if (listening.isEmpty() || !listening.get().equals(String.valueOf(port.getValue()))) {
                problem(deployment, "declares container port " + port.getKey() + " as " + port.getValue() + ", but "
                        + service.settings().service() + " listens on " + listening.orElse("no port") + " (" + key
                        + ")");
            }
        }
        for (String name : service.ports().keySet()) {
            if (!declared.containsKey(name)) {
                problem(deployment, "lacks container port " + name + " of " + service.settings().service());
            }
        }
    }

    private void checkProbes(ObjectNode deployment, JsonNode container, ShippedService service,
            Map<String, String> environment) {
        String health = service.healthPath(environment);
        Map<String, String> expected = Map.of("readinessProbe", health + "/ready", "livenessProbe", health + "/live",
                "startupProbe", health + "/started");
        for (Map.Entry<String, String> probe : expected.entrySet()) {
            JsonNode httpGet = container.path(probe.getKey()).path("httpGet");
            if (httpGet.isMissingNode()) {
                if (!probe.getKey().equals("startupProbe")) {
                    problem(deployment, "has no HTTP " + probe.getKey() + " (" + probe.getValue() + ")");
                }
                continue;
            }
            if (!httpGet.path("path").asText().equals(probe.getValue())) {
                problem(deployment, probe.getKey() + " asks " + httpGet.path("path").asText() + ", but "
                        + service.settings().service() + " answers it on " + probe.getValue());
            }
            JsonNode port = httpGet.path("port");
            String httpPort = service.settings().effective(ShippedService.HTTP_PORT, environment).orElse("");
            boolean toHttp = port.isTextual() ? ShippedService.HTTP_PORT.equals(service.ports().get(port.asText()))
                    : port.asText().equals(httpPort);
            if (!toHttp) {
                problem(deployment, probe.getKey() + " asks port " + port.asText() + ", not the HTTP port "
                        + httpPort + " (" + ShippedService.HTTP_PORT + ")");
            }
        }
    }

    private void checkDrain(ObjectNode deployment, JsonNode container, ShippedService service, String key,
            Map<String, String> environment) {
        Duration drain = service.settings().effective(key, environment).map(ManifestChecks::duration)
                .orElse(Duration.ZERO);
        Duration preStop = Duration.ofSeconds(container.path("lifecycle").path("preStop").path("sleep")
                .path("seconds").asLong(0));
        if (preStop.isZero()) {
            problem(deployment, "has no preStop sleep: Services would still send clients to a proxy that refuses"
                    + " them (57P03) while it drains");
        }
        Duration grace = Duration.ofSeconds(deployment.path("spec").path("template").path("spec")
                .path("terminationGracePeriodSeconds").asLong(30));
        if (grace.compareTo(preStop.plus(drain)) <= 0) {
            problem(deployment, "terminationGracePeriodSeconds " + grace.toSeconds() + " does not cover preStop ("
                    + preStop.toSeconds() + " s) plus " + key + " (" + drain.toSeconds() + " s)");
        }
    }

    private void checkAvailability(Manifests manifests, ObjectNode deployment) {
        JsonNode spec = deployment.path("spec");
        int replicas = spec.path("replicas").asInt(1);
        if (replicas < 2) {
            problem(deployment, "runs " + replicas + " replica; the proxy needs at least 2 to stay up through a"
                    + " rollout or a node's drain");
        }
        JsonNode antiAffinity = spec.path("template").path("spec").path("affinity").path("podAntiAffinity");
        if (!antiAffinity.toString().contains("kubernetes.io/hostname")) {
            problem(deployment, "has no pod anti-affinity across nodes (topologyKey kubernetes.io/hostname)");
        }
        JsonNode podLabels = spec.path("template").path("metadata").path("labels");
        Optional<ObjectNode> budget = manifests.ofKind("PodDisruptionBudget")
                .filter(b -> Manifests.carries(podLabels, b.path("spec").path("selector").path("matchLabels")))
                .findFirst();
        if (budget.isEmpty()) {
            problem(deployment, "has no PodDisruptionBudget selecting its pods");
        } else if (budget.get().path("spec").path("minAvailable").asInt(0) >= replicas) {
            problem(budget.get(), "minAvailable " + budget.get().path("spec").path("minAvailable").asInt()
                    + " of " + replicas + " replicas: no node could ever be drained");
        }
    }

    private void checkService(Manifests manifests, ObjectNode service) {
        List<ObjectNode> selected = manifests.deploymentsSelectedBy(service.path("spec").path("selector")).toList();
        if (selected.isEmpty()) {
            problem(service, "selects no Deployment's pods");
        }
        for (JsonNode port : service.path("spec").path("ports")) {
            JsonNode target = port.path("targetPort").isMissingNode() ? port.path("port") : port.path("targetPort");
            for (ObjectNode deployment : selected) {
                if (!exposes(deployment, target)) {
                    problem(service, "sends port " + port.path("port").asText() + " to " + target.asText()
                            + ", which no container of " + Manifests.name(deployment) + " declares");
                }
            }
        }
    }

    private void checkNetworkPolicy(Manifests manifests, ObjectNode policy) {
        List<ObjectNode> selected = manifests.deploymentsSelectedBy(policy.path("spec").path("podSelector")
                .path("matchLabels")).toList();
        if (selected.isEmpty()) {
            problem(policy, "selects no Deployment's pods");
        }
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            for (JsonNode port : rule.path("ports")) {
                for (ObjectNode deployment : selected) {
                    if (!exposes(deployment, port.path("port"))) {
                        problem(policy, "lets in port " + port.path("port").asText() + ", on which "
                                + Manifests.name(deployment) + " does not listen");
                    }
                }
            }
        }
    }

    private static boolean exposes(ObjectNode deployment, JsonNode port) {
        for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
            for (JsonNode declared : container.path("ports")) {
                if (port.isTextual() ? port.asText().equals(declared.path("name").asText())
                        : port.asInt() == declared.path("containerPort").asInt()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Quarkus' short durations (30s, 500ms, 1m) and ISO-8601 ones (PT30S). */
    static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            return Duration.parse(text.strip());
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2).toLowerCase();
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private void problem(JsonNode object, String what) {
        problems.add(object.path("kind").asText() + " " + Manifests.name(object) + ": " + what);
    }
}
