package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code exodus sync}: starts the initial sync ({@code POST /exodus/migration/sync}) and follows it in
 * {@code GET /exodus/migration}'s {@code sync} until it is done (phase dual-write) or failed.
 */
@Command(name = "sync", description = "Copies the source's schema and rows to an empty target while the application "
        + "writes, then turns to dual-write (docs/initial-sync.md). Follows the sync to its end.")
final class SyncCommand implements Callable<Integer> {
    private static final String PATH = "/exodus/migration/sync";
    private static final Set<String> ENDED = Set.of("done", "failed");

    @ParentCommand
    Exodus exodus;

    @Option(names = "--schema", paramLabel = "SCHEMA", description = "Copy only this schema (repeatable).")
    List<String> schemas = new ArrayList<>();

    @Option(names = "--table", paramLabel = "TABLE", description = "Copy only this table (repeatable).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--no-wait", description = "Return once the sync started; follow it with exodus status.")
    boolean noWait;

    @Override
    public Integer call() {
        Output output = exodus.output();
        AdminClient client = exodus.client();
        ObjectNode request = exodus.mapper().createObjectNode();
        if (!schemas.isEmpty()) {
            schemas.forEach(request.putArray("schemas")::add);
        }
        if (!tables.isEmpty()) {
            tables.forEach(request.putArray("tables")::add);
        }
        JsonNode started = client.post(PATH, request).bodyOrFail("sync");
        if (noWait) {
            output.document(started);
            output.line("sync started: " + describe(started));
            return ExitCode.OK.code();
        }
        Progress progress = output.progress();
        JsonNode last = Follow.until(() -> StatusCommand.runningHere(client, "sync"),
                sync -> ENDED.contains(sync.path("state").asText()),
                sync -> progress.show(sync.path("state").asText(), "sync " + describe(sync)));
        progress.end();
        output.document(last);
        if ("failed".equals(last.path("state").asText())) {
            throw new CliFailure(ExitCode.STEP_FAILED, "the sync failed: " + last.path("error").asText()
                    + " (exodus status shows it; the proxy's log has more)");
        }
        for (JsonNode note : last.path("notes")) {
            output.warn(note.asText());
        }
        output.line("sync done: " + Numbers.count(last.path("rowsCopied").asLong()) + " rows copied, "
                + Numbers.count(last.path("changesApplied").asLong()) + " changes applied since the snapshot, "
                + "new transactions held " + last.path("switchPauseMillis").asText("?")
                + " ms at the switch; the phase is dual-write");
        return ExitCode.OK.code();
    }

    /** One line of a sync's status: its state, rows against the estimate, rate and tables copied. */
    static String describe(JsonNode sync) {
        String state = sync.path("state").asText("?");
        long copied = sync.path("rowsCopied").asLong();
        long total = sync.path("rowsTotal").asLong();
        int tables = sync.path("tables").size();
        long tablesCopied = 0;
        for (JsonNode table : sync.path("tables")) {
            if ("copied".equals(table.path("state").asText())) {
                tablesCopied++;
            }
        }
        StringBuilder line = new StringBuilder(state).append(": ").append(Numbers.count(copied));
        if (total > 0) {
            line.append('/').append(Numbers.count(total)).append(" rows (")
                    .append(Numbers.percent(Math.floor(1000.0 * copied / total) / 10)).append(')');
        } else {
            line.append(" rows");
        }
        line.append(", ").append(Numbers.decimal(sync.path("rowsPerSecond").asDouble())).append(" rows/s, ")
                .append(tablesCopied).append('/').append(tables).append(" tables");
        if (sync.path("changesApplied").asLong() > 0) {
            line.append(", ").append(Numbers.count(sync.path("changesApplied").asLong())).append(" changes applied");
        }
        return line.toString();
    }
}
