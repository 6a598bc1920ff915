package io.exodus.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The objects of one rendered overlay, as the API server would receive them. */
record Manifests(List<ObjectNode> objects) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Manifests parse(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        }
        return new Manifests(objects);
    }

    /** A deep copy, for a test to break one field of. */
    Manifests copy() {
        return new Manifests(objects.stream().map(ObjectNode::deepCopy).toList());
    }

    Stream<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()));
    }

    Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).filter(o -> name.equals(name(o))).findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new IllegalArgumentException("no " + kind + " " + name));
    }

    /** Deployments whose pods carry every label of the selector. */
    Stream<ObjectNode> deploymentsSelectedBy(JsonNode matchLabels) {
        return ofKind("Deployment").filter(d -> carries(d.path("spec").path("template").path("metadata")
                .path("labels"), matchLabels));
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static boolean carries(JsonNode labels, JsonNode selector) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }
}
