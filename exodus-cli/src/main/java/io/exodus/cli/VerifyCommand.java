package io.exodus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code exodus verify}: starts a row-by-row verification ({@code POST /exodus/migration/verify}) and follows its
 * report ({@code GET /exodus/migration/verification}) until it ends. Exits 0 only when the target is identical.
 */
@Command(name = "verify", description = "Compares every row of the target with the source (docs/verification.md) "
        + "and follows the verification to its end; exits 0 only when the target is identical.")
final class VerifyCommand implements Callable<Integer> {
    private static final String START = "/exodus/migration/verify";
    private static final String REPORT = "/exodus/migration/verification";

    @ParentCommand
    Exodus exodus;

    @Option(names = "--table", paramLabel = "TABLE",
            description = "Verify only this table, named as SQL would (repeatable; default: every table).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--database", paramLabel = "DATABASE",
            description = "The database to verify on both servers (default: the source URL's).")
    String database;

    @Option(names = "--no-wait", description = "Return once the verification started.")
    boolean noWait;

    @Override
    public Integer call() {
        Output output = exodus.output();
        AdminClient client = exodus.client();
        ObjectNode request = exodus.mapper().createObjectNode();
        tables.forEach(request.putArray("tables")::add);
        if (database != null) {
            request.put("database", database);
        }
        JsonNode report = client.post(START, request).bodyOrFail("verify");
        if (!noWait) {
            Progress progress = output.progress();
            report = Follow.until(() -> client.get(REPORT).bodyOrFail("verification report"),
                    current -> !"running".equals(current.path("state").asText()),
                    current -> progress.show(tablesDone(current) + "", "verifying " + describe(current)));
            progress.end();
        }
        output.document(report);
        if (noWait) {
            output.line("verification started: " + describe(report));
            return ExitCode.OK.code();
        }
        for (JsonNode table : report.path("tables")) {
            output.line(tableLine(table));
        }
        if (report.path("identical").asBoolean()) {
            int count = report.path("tables").size();
            output.line("identical: " + count + (count == 1 ? " table, " : " tables, ")
                    + Numbers.count(rowsChecked(report)) + " rows");
            return ExitCode.OK.code();
        }
        // The report is already on stdout; the exit code is what a script branches on.
        String why = "failed".equals(report.path("state").asText()) ? "the verification failed on some tables"
                : "the target differs from the source";
        if (output.json()) {
            return ExitCode.STEP_FAILED.code();
        }
        throw new CliFailure(ExitCode.STEP_FAILED, why + " (" + differingTables(report) + " of "
                + report.path("tables").size() + " tables)");
    }

    private static String describe(JsonNode report) {
        long differences = 0;
        for (JsonNode table : report.path("tables")) {
            differences += differences(table);
        }
        return tablesDone(report) + "/" + report.path("tables").size() + " tables, "
                + Numbers.count(rowsChecked(report)) + " rows checked, " + Numbers.count(differences) + " differing";
    }

    private static String tableLine(JsonNode table) {
        String name = table.path("table").asText();
        if ("failed".equals(table.path("state").asText())) {
            return "  " + name + ": failed: " + table.path("error").asText();
        }
        long differences = differences(table);
        String counts = Numbers.count(table.path("rowsChecked").asLong()) + " rows";
        if (differences == 0) {
            return "  " + name + ": identical (" + counts + ")";
        }
        StringBuilder line = new StringBuilder("  " + name + ": " + table.path("missing").asLong() + " missing, "
                + table.path("extra").asLong() + " extra, " + table.path("different").asLong() + " different ("
                + counts + ")");
        for (JsonNode example : table.path("examples")) {
            line.append("\n    ").append(example.path("kind").asText()).append(' ')
                    .append(example.has("key") ? example.get("key").toString() : "md5 " + example.path("rowMd5")
                            .asText());
        }
        return line.toString();
    }

    private static long differences(JsonNode table) {
        return table.path("missing").asLong() + table.path("extra").asLong() + table.path("different").asLong();
    }

    private static long tablesDone(JsonNode report) {
        long done = 0;
        for (JsonNode table : report.path("tables")) {
            String state = table.path("state").asText();
            if ("done".equals(state) || "failed".equals(state)) {
                done++;
            }
        }
        return done;
    }

    private static long rowsChecked(JsonNode report) {
        long rows = 0;
        for (JsonNode table : report.path("tables")) {
            rows += table.path("rowsChecked").asLong();
        }
        return rows;
    }

    private static long differingTables(JsonNode report) {
        long differing = 0;
        for (JsonNode table : report.path("tables")) {
            if (differences(table) > 0 || "failed".equals(table.path("state").asText())) {
                differing++;
            }
        }
        return differing;
    }
}
