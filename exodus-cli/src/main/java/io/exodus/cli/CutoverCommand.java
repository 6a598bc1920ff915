package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** {@code exodus cutover}: {@code POST /exodus/migration/cutover}. */
@Command(name = "cutover", description = "Makes the target the primary after the readiness gates, with a measured pause; the source still receives every write.")
final class CutoverCommand extends ChangeCommand {

    @Override
    String name() {
        return "cutover";
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        return client.post(MIGRATION + "/cutover", body);
    }
}
