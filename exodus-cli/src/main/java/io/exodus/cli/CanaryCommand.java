package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code exodus canary}: {@code PUT /exodus/migration/canary} with {@code {"percent": …}}. */
@Command(name = "canary", description = "Sets the share of reads the target answers in phase canary, on every replica.")
final class CanaryCommand extends ChangeCommand {

    @Parameters(paramLabel = "PERCENT", description = "0 to 100.")
    double value;

    @Override
    String name() {
        return "canary";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.put(MIGRATION + "/canary", body.put("percent", value));
    }
}
