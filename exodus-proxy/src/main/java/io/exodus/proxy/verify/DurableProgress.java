package io.exodus.proxy.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A verification's finished ranges, kept on the source ({@link ProgressSql}) as they finish, so that the next
 * verification of the same tables after a restart continues where this one stopped: the tables done are taken as
 * they were, the one in progress is continued from its last finished range. Where the tables cannot be created (the
 * role may not create a schema), verification runs without: it starts over after a restart, and says so once.
 */
final class DurableProgress {
    private static final Logger LOG = Logger.getLogger(DurableProgress.class);
    private static final TypeReference<List<RowDifference>> EXAMPLES = new TypeReference<>() {
    };

    private final BothSides databases;
    private final ObjectMapper json;
    private final String runId;
    private final Map<String, SavedTable> saved;

    private DurableProgress(BothSides databases, ObjectMapper json, String runId, Map<String, SavedTable> saved) {
        this.databases = databases;
        this.json = json;
        this.runId = runId;
        this.saved = saved;
    }

    /** Continues the last unfinished run of exactly these tables, or starts a new one (forgetting older runs). */
    static Future<DurableProgress> open(BothSides databases, List<TableName> tables, ObjectMapper json,
            String database) {
        String[] names = tables.stream().map(TableName::sql).toArray(String[]::new);
        return databases.script(Side.SOURCE, ProgressSql.CREATE)
                .compose(created -> databases.on(Side.SOURCE, new Statement(ProgressSql.UNFINISHED,
                        Tuple.tuple().addArrayOfString(names))))
                .compose(unfinished -> {
                    if (unfinished.size() > 0) {
                        String runId = unfinished.iterator().next().getString(0);
                        return databases.on(Side.SOURCE, new Statement(ProgressSql.LOAD, Tuple.of(runId)))
                                .map(rows -> new DurableProgress(databases, json, runId, read(rows, json)));
                    }
                    String runId = UUID.randomUUID().toString();
                    return databases.on(Side.SOURCE, new Statement(ProgressSql.START,
                            Tuple.tuple().addString(runId).addArrayOfString(names)))
                            .compose(started -> databases.on(Side.SOURCE, new Statement(ProgressSql.FORGET_OTHERS,
                                    Tuple.of(runId))))
                            .map(forgotten -> new DurableProgress(databases, json, runId, Map.of()));
                })
                .recover(failure -> {
                    LOG.warnf("Verification of \"%s\" cannot keep its progress in exodus.verification_progress on the "
                            + "source (%s): it will start over if the proxy restarts. Let the role create schema "
                            + "exodus, or create it with the tables of docs/verification.md", database,
                            failure.getMessage());
                    return Future.succeededFuture(new DurableProgress(databases, json, null, Map.of()));
                });
    }

    /** What an interrupted run left of this table, if this run continues one. */
    Optional<SavedTable> saved(TableName table) {
        return Optional.ofNullable(saved.get(table.sql()));
    }

    /** Whether this run continues an interrupted one. */
    boolean resumes() {
        return !saved.isEmpty();
    }

    /**
     * Keeps what the table found so far.
     *
     * @param resumeFrom the lower bound of the first range not finished; null once the table is done
     */
    Future<Void> save(TableProgress table, List<String> resumeFrom, boolean done) {
        if (runId == null) {
            return Future.succeededFuture();
        }
        TableReport report = table.report();
        String examples;
        try {
            examples = json.writeValueAsString(report.examples());
        } catch (JsonProcessingException e) {
            return Future.failedFuture(e);
        }
        Tuple parameters = Tuple.tuple().addString(runId).addString(table.table().sql())
                .addString(done ? "done" : "running")
                .addArrayOfString(resumeFrom == null ? null : resumeFrom.toArray(String[]::new))
                .addString(report.startedAt()).addLong(report.sourceRows()).addLong(report.targetRows())
                .addLong(report.rowsChecked()).addLong(report.missing()).addLong(report.extra())
                .addLong(report.different()).addLong(report.settled()).addString(examples);
        return databases.on(Side.SOURCE, new Statement(ProgressSql.SAVE, parameters)).mapEmpty();
    }

    /** The run is done: the next verification starts anew. */
    Future<Void> finished() {
        if (runId == null) {
            return Future.succeededFuture();
        }
        return databases.on(Side.SOURCE, new Statement(ProgressSql.FINISH, Tuple.of(runId))).mapEmpty();
    }

    private static Map<String, SavedTable> read(io.vertx.sqlclient.RowSet<Row> rows, ObjectMapper json) {
        Map<String, SavedTable> saved = new HashMap<>();
        for (Row row : rows) {
            String[] resumeFrom = row.getArrayOfStrings(2);
            List<RowDifference> examples;
            try {
                examples = json.readValue(row.getString(11), EXAMPLES);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("exodus.verification_progress holds examples that cannot be read: "
                        + e.getOriginalMessage(), e);
            }
            saved.put(row.getString(0), new SavedTable("done".equals(row.getString(1)),
                    resumeFrom == null ? null : Arrays.asList(resumeFrom), row.getString(3), row.getLong(4),
                    row.getLong(5), row.getLong(6), row.getLong(7), row.getLong(8), row.getLong(9), row.getLong(10),
                    examples));
        }
        return saved;
    }
}
