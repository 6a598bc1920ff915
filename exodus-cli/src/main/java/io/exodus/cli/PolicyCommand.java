package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code exodus policy}: {@code PUT /exodus/migration/policy} with {@code {"policy": …}}. */
@Command(name = "policy", description = "Changes the consistency policy of new transactions on every replica.")
final class PolicyCommand extends ChangeCommand {

    @Parameters(paramLabel = "POLICY", description = "two-phase-commit, both-required, old-authoritative, new-authoritative or best-effort.")
    String value;

    @Override
    String name() {
        return "policy";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.put(MIGRATION + "/policy", body.put("policy", value));
    }
}
