package io.exodus.cli;

import picocli.CommandLine.Command;

/** {@code exodus cutover}: {@code POST /exodus/migration/cutover}. */
@Command(name = "cutover", description = "Makes the target the primary after the readiness gates, with a measured pause; the source still receives every write.")
final class CutoverCommand extends PrimaryMoveCommand {

    @Override
    String name() {
        return "cutover";
    }

    @Override
    String path() {
        return "cutover";
    }
}
