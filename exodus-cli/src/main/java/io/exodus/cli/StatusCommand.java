package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code exodus status}: {@code GET /exodus/migration}, read by a person or, with --json, by a script. */
@Command(name = "status", description = "Shows the migration: phase, primary, policy, canary share, strategy, "
        + "replicas, last switch, sync, catch-up queue, divergences.")
final class StatusCommand implements Callable<Integer> {
    static final String PATH = "/exodus/migration";

    /**
     * The status's part about a step that the replica behind {@code client} runs ({@code sync}, {@code strategy}).
     * Each replica knows the steps it runs only: behind a load balancer, the next read may reach another.
     */
    static JsonNode runningHere(AdminClient client, String step) {
        JsonNode part = client.get(PATH).bodyOrFail(step + " status").path(step);
        if (!part.isObject()) {
            throw new CliFailure(ExitCode.UNEXPECTED, "the proxy at " + client.base() + " shows no " + step
                    + ": point --url at the replica that runs it, not at a load balancer");
        }
        return part;
    }

    @ParentCommand
    Exodus exodus;

    @Override
    public Integer call() {
        Output output = exodus.output();
        JsonNode status = exodus.client().get(PATH).bodyOrFail("status");
        output.document(status);
        StatusView.lines(status).forEach(output::line);
        return ExitCode.OK.code();
    }
}
