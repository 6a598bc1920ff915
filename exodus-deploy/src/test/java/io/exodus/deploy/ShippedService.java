package io.exodus.deploy;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One of Exodus' services as its manifests must run it.
 *
 * @param image          the image repository its containers run, e.g. {@code exodus/exodus-proxy}
 * @param settings       what it reads
 * @param ports          container port name → the setting whose value the service listens on
 * @param requiredKeys   settings a pod must give (the proxy without URLs would start embedded databases in the pod)
 * @param drainKey       the setting that bounds its graceful shutdown, which preStop and the grace period must cover
 * @param replicated     served by several replicas, which must be spread and kept by a disruption budget
 * @param imageVariables variables its image's entry point reads besides the settings (e.g. JAVA_OPTS_APPEND)
 */
record ShippedService(String image, ServiceSettings settings, Map<String, String> ports, Set<String> requiredKeys,
        Optional<String> drainKey, boolean replicated, Set<String> imageVariables) {

    static final String HTTP_PORT = "quarkus.http.port";
    private static final String HEALTH_ROOT = "quarkus.smallrye-health.root-path";
    private static final String NON_APPLICATION_ROOT = "quarkus.http.non-application-root-path";

    /** Where its health checks answer with this environment applied, e.g. {@code /q/health}. */
    String healthPath(Map<String, String> environment) {
        return "/" + settings.effective(NON_APPLICATION_ROOT, environment).orElse("q") + "/"
                + settings.effective(HEALTH_ROOT, environment).orElse("health");
    }
}
