package io.exodus.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The settings one service really reads: every key of its {@code @ConfigMapping} interfaces (with their defaults),
 * walked as SmallRye Config names them (kebab-case, {@code @WithName}, {@code *} for the key of a map), and the
 * keys of its application.properties. An environment variable in a manifest is judged against these, as SmallRye
 * maps it: upper case, every character other than a letter or digit as {@code _}.
 */
final class ServiceSettings {
    private final String service;
    /** Key (with {@code *} for a map's key) → default, or null without one. */
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final Properties applicationProperties = new Properties();

    private ServiceSettings(String service) {
        this.service = service;
    }

    static ServiceSettings of(String service, Path applicationProperties, Class<?>... mappings) throws IOException {
        ServiceSettings settings = new ServiceSettings(service);
        for (Class<?> mapping : mappings) {
            settings.walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix());
        }
        try (Reader reader = Files.newBufferedReader(applicationProperties)) {
            settings.applicationProperties.load(reader);
        }
        return settings;
    }

    String service() {
        return service;
    }

    /** The key an environment variable sets, if the service reads one under that name. */
    Optional<String> keyOf(String environmentVariable) {
        for (String key : keys.keySet()) {
            if (environmentPattern(key).matcher(environmentVariable).matches()) {
                return Optional.of(key);
            }
        }
        for (String key : applicationProperties.stringPropertyNames()) {
            if (!key.startsWith("%") && environmentName(key).equals(environmentVariable)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    /** The value the service runs with: the environment's, else application.properties', else the mapping's default. */
    Optional<String> effective(String key, Map<String, String> environment) {
        String fromEnvironment = environment.get(environmentName(key));
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment);
        }
        String fromProperties = applicationProperties.getProperty(key);
        if (fromProperties != null) {
            return Optional.of(fromProperties);
        }
        return Optional.ofNullable(keys.get(key));
    }

    static String environmentName(String key) {
        return key.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    private static Pattern environmentPattern(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(environmentName(part)));
        }
        return Pattern.compile(regex.toString());
    }

    private void walk(Class<?> group, String prefix) {
        for (Method method : group.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class)
                            ? method.getAnnotation(WithName.class).value() : kebab(method.getName()));
            Type type = unwrapOptional(method.getGenericReturnType());
            if (type instanceof ParameterizedType map && map.getRawType() == Map.class) {
                Type value = map.getActualTypeArguments()[1];
                if (isGroup(value)) {
                    walk((Class<?>) value, key + ".*");
                } else {
                    keys.put(key + ".*", null);
                }
            } else if (isGroup(type)) {
                walk((Class<?>) type, key);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                keys.put(key, withDefault == null ? null : withDefault.value());
            }
        }
    }

    private static Type unwrapOptional(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Optional.class) {
            return parameterized.getActualTypeArguments()[0];
        }
        return type;
    }

    /** A nested group of settings: an interface of the service's own, not a value type such as MemorySize. */
    private static boolean isGroup(Type type) {
        return type instanceof Class<?> c && c.isInterface() && c.getName().startsWith("io.exodus.");
    }

    private static String kebab(String methodName) {
        return methodName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
