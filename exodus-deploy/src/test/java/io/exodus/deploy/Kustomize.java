package io.exodus.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with the kustomize that kubectl embeds ({@code kubectl kustomize DIR}), the same one a user
 * runs with {@code kubectl apply -k}. The overlays use kustomize 5 features (labels with templates, replicas, JSON 6902
 * patches by target); kubectl 1.27 and later embed it.
 */
final class Kustomize {
    private static final long TIMEOUT_SECONDS = 60;

    private Kustomize() {
    }

    static String render(Path kustomization) throws IOException, InterruptedException {
        Path output = Files.createTempFile("kustomize-", ".yaml");
        Path errors = Files.createTempFile("kustomize-", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder(List.of(kubectl(), "kustomize", kustomization.toString()))
                        .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("kubectl is needed to render k8s/ (kubectl kustomize) and was not found"
                        + " on the PATH: install it (Debian: apt-get install kubectl, from Kubernetes' apt repository;"
                        + " 1.27 or later) or point -Dexodus.kubectl at it", e);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + kustomization + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + kustomization + " failed: "
                        + Files.readString(errors, StandardCharsets.UTF_8).strip());
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    /** Whether kubectl answers here. */
    static boolean available() {
        try {
            Process process = new ProcessBuilder(List.of(kubectl(), "version", "--client"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String kubectl() {
        return System.getProperty("exodus.kubectl", "kubectl");
    }
}
