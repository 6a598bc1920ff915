package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code exodus phase}: {@code PUT /exodus/migration/phase} with {@code {"phase": …}}. */
@Command(name = "phase", description = "Moves every replica to another phase; open sessions follow between their transactions.")
final class PhaseCommand extends ChangeCommand {

    @Parameters(paramLabel = "PHASE", description = "direct, dual-write, canary, or a later phase the proxy knows.")
    String value;

    @Override
    String name() {
        return "phase";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.put(MIGRATION + "/phase", body.put("phase", value));
    }
}
