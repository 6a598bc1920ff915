package io.exodus.analyzer.shadow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads what to replay from the store: the most called shapes of the window, each with its latest executions. */
final class CapturedStatements {
    private static final String SHAPES = """
            WITH shapes AS (
                SELECT e.fingerprint, count(*) AS calls FROM exodus_analyzer.statement_event e
                WHERE ($1::timestamptz IS NULL OR e.at >= $1) AND ($2::text[] IS NULL OR e.fingerprint = ANY ($2))
                GROUP BY e.fingerprint ORDER BY calls DESC, e.fingerprint LIMIT $3)
            SELECT s.fingerprint, s.text, s.statement_class, shapes.calls, x.at, x.parameters::text AS parameters,
                   x.parameter_types::text AS parameter_types, x.settings::text AS settings,
                   x.parameter_formats::text AS parameter_formats
            FROM shapes JOIN exodus_analyzer.statement s USING (fingerprint)
            CROSS JOIN LATERAL (
                SELECT e.at, e.parameters, e.parameter_types, e.settings, e.parameter_formats
                FROM exodus_analyzer.statement_event e
                WHERE e.fingerprint = s.fingerprint AND ($1::timestamptz IS NULL OR e.at >= $1)
                ORDER BY e.parameters IS NULL, e.at DESC, e.id DESC LIMIT $4) x
            ORDER BY shapes.calls DESC, s.fingerprint""";

    private CapturedStatements() {
    }

    static Future<List<CapturedStatement>> read(Pool store, OffsetDateTime since, List<String> fingerprints,
            int maxStatements, int executionsPerStatement) {
        Tuple parameters = Tuple.of(since, fingerprints == null ? null : fingerprints.toArray(String[]::new),
                maxStatements, executionsPerStatement);
        return store.preparedQuery(SHAPES).execute(parameters).map(rows -> {
            Map<String, Builder> shapes = new LinkedHashMap<>();
            for (Row row : rows) {
                shapes.computeIfAbsent(row.getString("fingerprint"), f -> new Builder(row))
                        .executions.add(new CapturedExecution(row.getOffsetDateTime("at").toInstant(),
                                values(row.getString("parameters")), types(row.getString("parameter_types")),
                                settings(row.getString("settings")), formats(row.getString("parameter_formats"))));
            }
            return shapes.values().stream().map(Builder::build).toList();
        });
    }

    private static List<String> values(String json) {
        if (json == null) {
            return null;
        }
        JsonArray array = new JsonArray(json);
        List<String> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object value = array.getValue(i);
            values.add(value == null ? null : String.valueOf(value));
        }
        return values;
    }

    private static List<Long> types(String json) {
        if (json == null) {
            return null;
        }
        JsonArray array = new JsonArray(json);
        List<Long> types = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            types.add(array.getLong(i));
        }
        return types;
    }

    private static Map<String, String> settings(String json) {
        if (json == null) {
            return null;
        }
        Map<String, String> settings = new TreeMap<>();
        new JsonObject(json).forEach(entry -> settings.put(entry.getKey(), String.valueOf(entry.getValue())));
        return settings;
    }

    private static List<Integer> formats(String json) {
        if (json == null) {
            return null;
        }
        JsonArray array = new JsonArray(json);
        List<Integer> formats = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            formats.add(array.getInteger(i));
        }
        return formats;
    }

    private static final class Builder {
        private final Row row;
        private final List<CapturedExecution> executions = new ArrayList<>();

        Builder(Row row) {
            this.row = row;
        }

        CapturedStatement build() {
            return new CapturedStatement(row.getString("fingerprint"), row.getString("text"),
                    row.getString("statement_class"), row.getLong("calls"), executions);
        }
    }
}
