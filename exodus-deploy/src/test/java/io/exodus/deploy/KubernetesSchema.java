package io.exodus.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The Kubernetes API's schema of an object, strictly: the models that the official Java client generates from the
 * API's OpenAPI document (io.kubernetes:client-java-api 24, Kubernetes 1.32) each validate a JSON object against
 * their definition, rejecting fields the API does not know, missing required fields and values of the wrong type,
 * and descend into every nested object. A misspelt field anywhere in a manifest (which the API server would drop
 * silently with client-side apply) fails here.
 */
final class KubernetesSchema {
    private static final String MODELS = "io.kubernetes.client.openapi.models.";

    private KubernetesSchema() {
    }

    /** What is wrong with the object, or empty when it matches its kind's schema. */
    static Optional<String> violation(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText("");
        String kind = object.path("kind").asText("");
        Class<?> model;
        try {
            model = Class.forName(MODELS + modelName(apiVersion, kind));
        } catch (ClassNotFoundException e) {
            return Optional.of("no schema for " + apiVersion + " " + kind + " (not a kind of Kubernetes 1.32's API)");
        }
        JsonElement json = JsonParser.parseString(object.toString());
        try {
            Method validate = model.getMethod("validateJsonElement", JsonElement.class);
            validate.invoke(null, json);
            return Optional.empty();
        } catch (InvocationTargetException e) {
            return Optional.of(e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the client's model " + model.getName() + " has no validateJsonElement", e);
        }
    }

    /** apps/v1 Deployment → V1Deployment, v1 Service → V1Service, policy/v1 PodDisruptionBudget → V1PodDisruptionBudget. */
    private static String modelName(String apiVersion, String kind) {
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return version.isEmpty() ? kind : Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
    }
}
