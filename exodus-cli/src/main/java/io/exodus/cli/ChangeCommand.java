package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A change of the migration in one request (a setting, or a switch such as cutover): the body carries the optional
 * reason for the audit log, the answer is shown field by field, whatever fields this proxy's version sends.
 */
abstract class ChangeCommand implements Callable<Integer> {
    static final String MIGRATION = "/exodus/migration";

    @ParentCommand
    Exodus exodus;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log.")
    String reason;

    /** The command's name as messages show it. */
    abstract String name();

    /** Sends the change; {@code body} already holds the reason, when one was given. */
    abstract Answer send(AdminClient client, ObjectNode body);

    @Override
    public Integer call() {
        Output output = exodus.output();
        ObjectNode body = exodus.mapper().createObjectNode();
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode answer = send(exodus.client(), body).bodyOrFail(name());
        output.document(answer);
        output.line(name() + " done");
        for (String line : lines(answer)) {
            output.line("  " + line);
        }
        JsonNode pending = answer.path("pending");
        if (pending.isArray() && !pending.isEmpty()) {
            // The change is recorded; these replicas did not confirm it within the proxy's apply timeout.
            output.warn("not yet applied by " + joined(pending) + ": look at their logs (exodus status lists the "
                    + "replicas)");
        }
        return ExitCode.OK.code();
    }

    /** Each field of the answer as {@code name: value}, lists joined, objects as JSON. */
    static List<String> lines(JsonNode answer) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) answer::fields) {
            JsonNode value = field.getValue();
            String shown = value.isArray() ? (value.isEmpty() ? "none" : joined(value))
                    : value.isContainerNode() ? value.toString() : value.asText();
            lines.add(field.getKey() + ": " + shown);
        }
        return lines;
    }

    private static String joined(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.isValueNode() ? item.asText() : item.toString()));
        return String.join(", ", items);
    }
}
