package io.exodus.analyzer.capture;

import io.exodus.analyzer.store.StoreDatabase;
import io.exodus.capture.CaptureBatch;
import io.exodus.capture.NormalizedStatement;
import io.exodus.capture.StatementEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Stores a decoded batch in one transaction of the store: the batch row, the statement shapes it brings for the first
 * time, and its events. Each goes in as one INSERT over arrays (unnest), so a batch of thousands of events costs three
 * round trips.
 */
@ApplicationScoped
public class CaptureWriter {

    /**
     * Capture is a sample that may lose events anyway; a commit need not wait for its WAL to reach the disk, where it
     * would queue behind the source's own flushes when the store shares the machine (docs/adr/0017). A crash of the
     * store loses at most its last fraction of a second of batches, never its consistency.
     */
    private static final String NO_FLUSH_WAIT = "SET LOCAL synchronous_commit = off";
    private static final String INSERT_BATCH = """
            INSERT INTO exodus_analyzer.capture_batch (proxy_id, events, dropped) VALUES ($1, $2, $3) RETURNING id""";
    private static final String INSERT_STATEMENTS = """
            INSERT INTO exodus_analyzer.statement (fingerprint, text, statement_class, features, functions)
            SELECT f, t, c, coalesce(string_to_array(nullif(fe, ''), ','), '{}'),
                   coalesce(string_to_array(nullif(fu, ''), ','), '{}')
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(f, t, c, fe, fu)
            ON CONFLICT (fingerprint) DO NOTHING""";
    private static final String INSERT_EVENTS = """
            INSERT INTO exodus_analyzer.statement_event (batch_id, proxy_id, at, session_id, transaction_id,
                transaction_boundary, protocol, fingerprint, prepared_name, parameters, source_micros, target_micros,
                rows, sqlstate, result_digest, parameter_types, settings, parameter_formats)
            SELECT $1, $2, e.at, e.session_id, e.transaction_id, e.boundary, e.protocol, e.fingerprint, e.prepared_name,
                e.parameters::jsonb, e.source_micros, e.target_micros, e.rows, e.sqlstate, e.result_digest,
                e.parameter_types::jsonb, e.settings::jsonb, e.parameter_formats::jsonb
            FROM unnest($3::timestamptz[], $4::int8[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::text[], $15::text[], $16::text[],
                $17::text[], $18::text[])
                AS e(at, session_id, transaction_id, boundary, protocol, fingerprint, prepared_name, parameters,
                     source_micros, target_micros, rows, sqlstate, result_digest, parameter_types, settings,
                     parameter_formats)""";

    private final StoreDatabase store;

    CaptureWriter(StoreDatabase store) {
        this.store = store;
    }

    /** Stores the batch; answers how many events were stored. */
    public Future<Integer> write(DecodedBatch decoded) {
        CaptureBatch batch = decoded.batch();
        String proxyId = batch.proxyId() == null ? "" : batch.proxyId();
        return store.pool().withTransaction(connection -> connection.query(NO_FLUSH_WAIT).execute()
                .compose(set -> connection.preparedQuery(INSERT_BATCH).execute(Tuple.of(proxyId,
                        batch.events().size(), batch.dropped() == null ? 0L : batch.dropped())))
                .compose(rows -> {
                    long batchId = rows.iterator().next().getLong(0);
                    return insertStatements(connection, decoded)
                            .compose(done -> insertEvents(connection, batchId, proxyId, decoded));
                })
                .map(done -> batch.events().size()));
    }

    private static Future<Void> insertStatements(SqlConnection connection, DecodedBatch decoded) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        List<StatementEvent> events = decoded.batch().events();
        for (int i = 0; i < events.size(); i++) {
            NormalizedStatement statement = decoded.statements().get(i);
            String statementClass = events.get(i).statementClass().wireName();
            shapes.computeIfAbsent(statement.fingerprint(), f -> new Shape(statement.text(), statementClass));
        }
        if (shapes.isEmpty()) {
            return Future.succeededFuture();
        }
        int n = shapes.size();
        String[] fingerprints = new String[n];
        String[] texts = new String[n];
        String[] classes = new String[n];
        String[] features = new String[n];
        String[] functions = new String[n];
        int i = 0;
        for (Map.Entry<String, Shape> entry : shapes.entrySet()) {
            StatementTraits traits = StatementTraits.of(entry.getValue().text());
            fingerprints[i] = entry.getKey();
            texts[i] = entry.getValue().text();
            classes[i] = entry.getValue().statementClass();
            features[i] = traits.features().stream().map(SessionFeature::wireName).collect(Collectors.joining(","));
            functions[i] = String.join(",", traits.functions());
            i++;
        }
        return connection.preparedQuery(INSERT_STATEMENTS)
                .execute(Tuple.tuple(List.of(fingerprints, texts, classes, features, functions))).mapEmpty();
    }

    private static Future<Void> insertEvents(SqlConnection connection, long batchId, String proxyId,
            DecodedBatch decoded) {
        List<StatementEvent> events = decoded.batch().events();
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        int n = events.size();
        OffsetDateTime[] at = new OffsetDateTime[n];
        Long[] sessions = new Long[n];
        Long[] transactions = new Long[n];
        String[] boundaries = new String[n];
        String[] protocols = new String[n];
        String[] fingerprints = new String[n];
        String[] preparedNames = new String[n];
        String[] parameters = new String[n];
        Long[] sourceMicros = new Long[n];
        Long[] targetMicros = new Long[n];
        Long[] rows = new Long[n];
        String[] sqlstates = new String[n];
        String[] digests = new String[n];
        String[] parameterTypes = new String[n];
        String[] settings = new String[n];
        String[] parameterFormats = new String[n];
        for (int i = 0; i < n; i++) {
            StatementEvent event = events.get(i);
            at[i] = event.at().atOffset(ZoneOffset.UTC);
            sessions[i] = event.sessionId();
            transactions[i] = event.transactionId();
            boundaries[i] = event.transactionBoundary() == null ? null : event.transactionBoundary().wireName();
            protocols[i] = event.protocol().wireName();
            fingerprints[i] = decoded.statements().get(i).fingerprint();
            preparedNames[i] = event.preparedName();
            parameters[i] = event.parameters() == null ? null : new JsonArray(event.parameters()).encode();
            sourceMicros[i] = event.sourceMicros();
            targetMicros[i] = event.targetMicros();
            rows[i] = event.rows();
            sqlstates[i] = event.sqlstate();
            digests[i] = event.resultDigest();
            parameterTypes[i] = event.parameterTypes() == null ? null : new JsonArray(event.parameterTypes()).encode();
            settings[i] = event.settings() == null ? null : new JsonObject(new LinkedHashMap<String, Object>(event.settings())).encode();
            parameterFormats[i] = event.parameterFormats() == null ? null
                    : new JsonArray(event.parameterFormats()).encode();
        }
        Tuple values = Tuple.tuple(List.of(batchId, proxyId, at, sessions, transactions, boundaries, protocols,
                fingerprints, preparedNames, parameters, sourceMicros, targetMicros, rows, sqlstates, digests,
                parameterTypes, settings, parameterFormats));
        return connection.preparedQuery(INSERT_EVENTS).execute(values).mapEmpty();
    }

    private record Shape(String text, String statementClass) {
    }
}
