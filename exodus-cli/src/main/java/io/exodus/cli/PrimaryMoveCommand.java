package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** A move of the primary (cutover, rollback): a change that may say what to do with long transactions. */
abstract class PrimaryMoveCommand extends ChangeCommand {
    @Option(names = "--long-transactions", paramLabel = "abort|cancel|wait", description = "What to do with the "
            + "transactions still open after the proxy's cutover timeout: abort the move, cancel them (their sessions "
            + "are closed, rolled back on both databases), or wait for them. Default: the proxy's "
            + "exodus.migration.cutover.long-transactions.")
    String longTransactions;

    /** The endpoint, under {@link #MIGRATION}. */
    abstract String path();

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        if (longTransactions != null) {
            body.put("longTransactions", longTransactions);
        }
        return client.post(MIGRATION + "/" + path(), body);
    }
}
