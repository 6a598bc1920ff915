package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** {@code exodus rollback}: {@code POST /exodus/migration/rollback}. */
@Command(name = "rollback", description = "Makes the source the primary again, from canary or cutover, losing no write.")
final class RollbackCommand extends ChangeCommand {

    @Override
    String name() {
        return "rollback";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.post(MIGRATION + "/rollback", body);
    }
}
