package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code exodus strategy}: {@code PUT /exodus/migration/strategy} with {@code {"strategy": …}}, then the run followed
 * in {@code GET /exodus/migration}'s {@code strategy} until it ends; {@code none} stops the running one.
 */
@Command(name = "strategy", description = "Starts a strategy that walks the migration by itself, each step watched by "
        + "health gates and rolled back when one fails (docs/strategies.md), and follows it to its end; none stops "
        + "the running one.")
final class StrategyCommand implements Callable<Integer> {
    private static final String PATH = "/exodus/migration/strategy";
    private static final Set<String> RUNNING = Set.of("running", "rolling-back");

    @ParentCommand
    Exodus exodus;

    @Parameters(paramLabel = "STRATEGY", description = "big-bang, canary, blue-green, user-by-user or shadow, or none "
            + "to stop the running one.")
    String value;

    @Option(names = "--tenants", paramLabel = "TENANT", split = ",", description = "user-by-user: the tenants in the "
            + "order they move (a session's tenant is what exodus.migration.tenant-key names); the proxy's "
            + "exodus.strategy.tenants when absent.")
    List<String> tenants;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log.")
    String reason;

    @Option(names = "--no-wait", description = "Return once the strategy started; follow it with exodus status.")
    boolean noWait;

    @Override
    public Integer call() {
        Output output = exodus.output();
        AdminClient client = exodus.client();
        ObjectNode body = exodus.mapper().createObjectNode().put("strategy", value);
        if (reason != null) {
            body.put("reason", reason);
        }
        if (tenants != null) {
            tenants.forEach(body.putArray("tenants")::add);
        }
        JsonNode started = client.put(PATH, body).bodyOrFail("strategy");
        if (noWait || !RUNNING.contains(started.path("state").asText())) {
            output.document(started);
            output.line("strategy " + started.path("name").asText() + ": " + describe(started));
            return ExitCode.OK.code();
        }
        Progress progress = output.progress();
        JsonNode last = Follow.until(() -> StatusCommand.runningHere(client, "strategy"),
                run -> !RUNNING.contains(run.path("state").asText()),
                run -> progress.show(run.path("state").asText() + run.path("step").asText(),
                        "strategy " + run.path("name").asText() + ": " + describe(run)));
        progress.end();
        output.document(last);
        String state = last.path("state").asText();
        if (state.equals("rolled-back") || state.equals("failed")) {
            throw new CliFailure(ExitCode.STEP_FAILED, "the strategy " + state + ": " + last.path("outcome").asText());
        }
        output.line("strategy " + last.path("name").asText() + " " + state + ": " + last.path("outcome").asText());
        return ExitCode.OK.code();
    }

    /** A run of {@code GET /exodus/migration}'s {@code strategy}: its state, step and gates, and why it ended. */
    static String describe(JsonNode run) {
        JsonNode steps = run.path("steps");
        int step = run.path("step").asInt();
        String at = steps.size() == 0 ? "" : "step " + (step + 1) + " of " + steps.size() + " ("
                + steps.path(step).asText() + ")";
        JsonNode gates = run.path("gates");
        String health = gates.isObject() ? String.format(Locale.ROOT,
                ", target reads %d, failed %.1f %%, queue %d, divergences %.0f", gates.path("targetReads").asLong(),
                100 * gates.path("targetErrorRate").asDouble(), gates.path("queueDepth").asLong(),
                gates.path("divergences").asDouble()) : "";
        String ended = run.hasNonNull("outcome") ? ": " + run.path("outcome").asText() : "";
        String takenOver = run.hasNonNull("takenOverFrom") ? " (taken over from replica "
                + run.path("takenOverFrom").asText() + ")" : "";
        return run.path("state").asText() + ", " + at + health + takenOver + ended;
    }
}
