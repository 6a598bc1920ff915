package io.exodus.deploy;

import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.metrics.MetricsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The proxy and the analyzer as this repository builds them: their settings, ports and images. */
final class ExodusServices {
    /** A variable an image's ENTRYPOINT or CMD expands, e.g. {@code ${JAVA_OPTS_APPEND}}. */
    private static final Pattern EXPANDED = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)");

    private ExodusServices() {
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("exodus.project.root", "..")).toAbsolutePath().normalize();
    }

    static List<ShippedService> all() throws IOException {
        Path root = projectRoot();
        ShippedService proxy = new ShippedService("exodus/exodus-proxy",
                ServiceSettings.of("exodus-proxy",
                        root.resolve("exodus-proxy/src/main/resources/application.properties"),
                        ExodusConfig.class, MetricsConfig.class),
                Map.of("postgres", "exodus.listen.port", "http", ShippedService.HTTP_PORT),
                Set.of("exodus.source.url", "exodus.target.url"), Optional.of("exodus.shutdown.timeout"), true,
                imageVariables(root.resolve("exodus-proxy/src/main/docker/Dockerfile.jvm")));
        ShippedService analyzer = new ShippedService("exodus/exodus-analyzer",
                ServiceSettings.of("exodus-analyzer",
                        root.resolve("exodus-analyzer/src/main/resources/application.properties"),
                        AnalyzerConfig.class),
                Map.of("http", ShippedService.HTTP_PORT), Set.of("exodus.analyzer.source-url"), Optional.empty(),
                false, imageVariables(root.resolve("exodus-analyzer/src/main/docker/Dockerfile.jvm")));
        return List.of(proxy, analyzer);
    }

    /** The variables the image's start command expands, which a manifest may set besides the service's settings. */
    static Set<String> imageVariables(Path dockerfile) throws IOException {
        Set<String> variables = new TreeSet<>();
        for (String line : Files.readAllLines(dockerfile)) {
            if (line.startsWith("ENTRYPOINT") || line.startsWith("CMD")) {
                Matcher matcher = EXPANDED.matcher(line);
                while (matcher.find()) {
                    variables.add(matcher.group(1));
                }
            }
        }
        return variables;
    }
}
