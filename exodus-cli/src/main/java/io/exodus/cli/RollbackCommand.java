package io.exodus.cli;

import picocli.CommandLine.Command;

/** {@code exodus rollback}: {@code POST /exodus/migration/rollback}. */
@Command(name = "rollback", description = "Makes the source the primary again, from canary or cutover, losing no write.")
final class RollbackCommand extends PrimaryMoveCommand {

    @Override
    String name() {
        return "rollback";
    }

    @Override
    String path() {
        return "rollback";
    }
}
