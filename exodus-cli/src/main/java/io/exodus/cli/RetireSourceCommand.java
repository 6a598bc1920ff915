package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** {@code exodus retire-source}: {@code POST /exodus/migration/retire-source}. */
@Command(name = "retire-source", description = "Stops writing to the source after cutover: Exodus relays to the target alone.")
final class RetireSourceCommand extends ChangeCommand {

    @Override
    String name() {
        return "retire-source";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.post(MIGRATION + "/retire-source", body);
    }
}
