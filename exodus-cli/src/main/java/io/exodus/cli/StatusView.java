package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /exodus/migration} for a person: the fields an operator acts on, a line each, and the parts that are only
 * there when they matter (a sync, a queue, divergences). Fields a proxy does not send yet (strategy, last switch) are
 * left out rather than shown empty.
 */
final class StatusView {

    private StatusView() {
    }

    static List<String> lines(JsonNode status) {
        List<String> lines = new ArrayList<>();
        lines.add("phase:     " + text(status, "phase"));
        lines.add("primary:   " + text(status, "primary"));
        lines.add("policy:    " + text(status, "policy"));
        if ("canary".equals(status.path("phase").asText())) {
            lines.add("canary:    " + Numbers.percent(status.path("canaryPercent").asDouble()) + " of reads on the "
                    + "target");
            JsonNode tenants = status.path("tenants");
            if (tenants.isObject() && !tenants.isEmpty()) {
                List<String> shares = new ArrayList<>();
                tenants.fields().forEachRemaining(tenant -> shares.add(tenant.getKey() + " "
                        + Numbers.percent(tenant.getValue().asDouble())));
                lines.add("tenants:   " + String.join(", ", shares) + " of their reads on the target (by "
                        + text(status, "tenantKey") + ")");
            }
        }
        JsonNode strategy = status.path("strategy");
        if (strategy.isObject()) {
            lines.add("strategy:  " + strategy.path("name").asText() + " " + StrategyCommand.describe(strategy));
        } else if (strategy.isTextual()) {
            lines.add("strategy:  " + strategy.asText());
        }
        JsonNode lastSwitch = status.path("lastSwitch");
        if (lastSwitch.isObject()) {
            lines.add("last switch: " + text(lastSwitch, "kind") + " at " + text(lastSwitch, "at") + ", paused "
                    + text(lastSwitch, "pauseMs") + " ms");
        }
        JsonNode control = status.path("control");
        if (control.path("enabled").asBoolean()) {
            lines.add("fleet:     " + text(control, "fleet") + " (this replica: " + text(control, "replica") + ")");
        }
        for (JsonNode replica : status.path("replicas")) {
            lines.add("  replica " + text(replica, "id") + ": " + text(replica, "phase")
                    + (replica.has("live") && !replica.path("live").asBoolean() ? " (not live)" : "")
                    + ", last seen " + text(replica, "lastSeen"));
        }
        JsonNode sync = status.path("sync");
        if (sync.isObject()) {
            lines.add("sync:      " + SyncCommand.describe(sync));
        }
        JsonNode replay = status.path("replay");
        if (replay.isObject()) {
            lines.add("catch-up:  " + replay.path("depth").asLong() + " queued, " + replay.path("parked").asLong()
                    + " parked, oldest " + Numbers.decimal(replay.path("oldestAgeSeconds").asDouble()) + " s");
        }
        List<String> divergences = new ArrayList<>();
        for (Map.Entry<String, JsonNode> kind : iterable(status.path("divergences"))) {
            if (kind.getValue().asDouble() > 0) {
                divergences.add(kind.getKey() + " " + Numbers.count((long) kind.getValue().asDouble()));
            }
        }
        lines.add("divergences: " + (divergences.isEmpty() ? "none" : String.join(", ", divergences)));
        return lines;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asText();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        return object::fields;
    }
}
