package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.InsertReturning;
import io.exodus.proxy.sql.PreparedStatementVerb;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session that ran direct until the migration turned to dual-write. Between two of its transactions, what it set up
 * on the source is read from the source itself: the settings it changed with SET, its prepared statements (those of
 * the protocol and those of PREPARE), and what the target cannot be given (temporary tables, cursors held across
 * transactions). The settings and PREPAREs join the session's state, which the target's connection runs when it is
 * opened; protocol-level statements go into the statement book, to be parsed on the target at their first write, and
 * those whose writes are mirrored as row images are parsed again on the source with {@code RETURNING *}, as they
 * would have been in dual-write from the start.
 *
 * <p>The state is read with a named statement of the extended protocol: a simple query would drop the session's
 * unnamed statement, which a client may still bind.
 */
final class SessionAdoption {
    static final String STATEMENT = "exodus_session_adoption";
    static final String STATE_QUERY = """
            SELECT 'setting', name, pg_catalog.current_setting(name), NULL FROM pg_catalog.pg_settings \
            WHERE source = 'session' \
            UNION ALL SELECT 'encoding', 'client_encoding', pg_catalog.current_setting('client_encoding'), NULL \
            UNION ALL SELECT CASE WHEN from_sql THEN 'sql-prepared' ELSE 'prepared' END, name, statement, \
            parameter_types::pg_catalog.oid[]::text FROM pg_catalog.pg_prepared_statements \
            UNION ALL SELECT 'temporary table', relname::text, NULL, NULL FROM pg_catalog.pg_class \
            WHERE relnamespace = pg_catalog.pg_my_temp_schema() AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
            UNION ALL SELECT 'held cursor', name, NULL, NULL FROM pg_catalog.pg_cursors WHERE is_holdable""";
    private static final String DOLLAR_QUOTE = "$exodus$";

    /** A protocol-level prepared statement of the session. */
    record Prepared(String name, String sql, int[] parameterTypes) {
        PgMessage parse() {
            Buffer framed = FrontendMessages.parse(name, sql, parameterTypes);
            return new PgMessage(FrontendMessageType.PARSE, framed.getBuffer(5, framed.length()));
        }
    }

    /**
     * What the source says the session has set up.
     *
     * @param settings  name and value of each setting changed by SET, session_authorization and role first
     * @param obstacles what the target cannot be given, said for the client; empty when the session can follow
     */
    record SessionSetup(List<String[]> settings, List<Prepared> prepared, List<String[]> sqlPrepared,
            List<String> obstacles) {
    }

    private SessionAdoption() {
    }

    static Future<SessionSetup> read(Leg primary) {
        Buffer request = FrontendMessages.parse(STATEMENT, STATE_QUERY, new int[0]);
        FrontendMessages.appendBind(request, "", STATEMENT, new short[0], List.of(), new short[0]);
        FrontendMessages.appendExecute(request, "", 0);
        FrontendMessages.appendCloseStatement(request, STATEMENT);
        FrontendMessages.appendSync(request);
        TextRows rows = new TextRows();
        return primary.send(request, 1, rows).compose(reply -> reply.failed()
                ? Future.failedFuture("the source did not say what the session has set up: " + describe(reply))
                : Future.succeededFuture(setupOf(rows.rows())));
    }

    static SessionSetup setupOf(List<List<String>> rows) {
        List<String[]> settings = new ArrayList<>();
        List<Prepared> prepared = new ArrayList<>();
        List<String[]> sqlPrepared = new ArrayList<>();
        List<String> obstacles = new ArrayList<>();
        String encoding = "UTF8";
        for (List<String> row : rows) {
            String kind = row.get(0);
            String name = row.get(1);
            switch (kind) {
                case "setting" -> {
                    String[] setting = {name, row.get(2)};
                    if (name.equals("session_authorization")) {
                        settings.add(0, setting);
                    } else if (name.equals("role")) {
                        settings.add(settings.isEmpty() || !settings.get(0)[0].equals("session_authorization") ? 0 : 1,
                                setting);
                    } else {
                        settings.add(setting);
                    }
                }
                case "encoding" -> encoding = row.get(2);
                case "prepared" -> prepared.add(new Prepared(name, row.get(2), oids(row.get(3))));
                case "sql-prepared" -> sqlPrepared.add(new String[] {name, row.get(2)});
                default -> obstacles.add("the " + kind + " " + name);
            }
        }
        if (!encoding.equalsIgnoreCase("UTF8") && !(prepared.isEmpty() && sqlPrepared.isEmpty())) {
            // The statements' texts came in the client's encoding; Exodus would parse them again as UTF-8.
            obstacles.add("prepared statements in client encoding " + encoding);
        }
        return new SessionSetup(settings, prepared, sqlPrepared, obstacles);
    }

    /** The statement that gives a new connection the session's settings, or null when it changed none. */
    static String settingsStatement(List<String[]> settings) {
        if (settings.isEmpty()) {
            return null;
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < settings.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("pg_catalog.set_config(").append(literal(settings.get(i)[0]))
                    .append(", ").append(literal(settings.get(i)[1])).append(", false)");
        }
        return sql.toString();
    }

    /** A literal that means the same whatever standard_conforming_strings says. */
    static String literal(String value) {
        String quote = DOLLAR_QUOTE;
        for (int n = 0; value.contains(quote); n++) {
            quote = "$exodus" + n + "$";
        }
        return quote + value + quote;
    }

    /** The parameter type OIDs of {@code {23,25}}. */
    static int[] oids(String array) {
        if (array == null || array.length() <= 2) {
            return new int[0];
        }
        String[] parts = array.substring(1, array.length() - 1).split(",");
        int[] oids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            oids[i] = Integer.parseInt(parts[i].trim());
        }
        return oids;
    }

    /**
     * Puts the source's statements into the book as dual-write would have: a write that dual-write mirrors as a row
     * image is parsed again on the source with {@code RETURNING *}, its answers then filtered as they are for a
     * statement parsed in dual-write. Completes with the first failure's description, or null.
     */
    static Future<String> enterStatements(SessionSetup setup, StatementBook book, DualWriteServices dual,
            Leg primary) {
        Buffer reparse = Buffer.buffer();
        for (Prepared statement : setup.prepared()) {
            Classification classification = dual.classifications().classify(statement.sql());
            Optional<InsertReturning> image = dual.rowImages() && classification.kind() == StatementKind.WRITE
                    ? InsertReturning.of(statement.sql(), true) : Optional.empty();
            book.parsed(statement.name(), new StatementBook.Statement(statement.sql(), classification,
                    statement.parse(), image));
            if (image.isPresent()) {
                FrontendMessages.appendCloseStatement(reparse, statement.name());
                FrontendMessages.appendParse(reparse, statement.name(), image.get().rewrittenSql(),
                        statement.parameterTypes());
            }
        }
        for (String[] prepared : setup.sqlPrepared()) {
            Classification classification = dual.classifications().classify(prepared[1]);
            if (classification.preparedVerb() == PreparedStatementVerb.PREPARE && classification.inner() != null) {
                book.sqlPrepared(prepared[0], classification.inner());
            }
        }
        if (reparse.length() == 0) {
            return Future.succeededFuture(null);
        }
        FrontendMessages.appendSync(reparse);
        return primary.send(reparse, 1, Leg.DISCARD).map(reply -> reply.failed()
                ? "the source refused a prepared statement with RETURNING *: " + describe(reply) : null);
    }

    /**
     * The statements that give the target's connection the session's state: its settings, then its PREPAREs (each
     * text as the source has it, which is the whole PREPARE statement). Null for a PREPARE whose text holds more
     * than that statement.
     */
    static List<String> stateStatements(SessionSetup setup, DualWriteServices dual) {
        List<String> statements = new ArrayList<>();
        String settings = settingsStatement(setup.settings());
        if (settings != null) {
            statements.add(settings);
        }
        for (String[] prepared : setup.sqlPrepared()) {
            Classification classification = dual.classifications().classify(prepared[1]);
            if (classification.preparedVerb() != PreparedStatementVerb.PREPARE || !classification.parts().isEmpty()) {
                return null;
            }
            statements.add(prepared[1]);
        }
        return statements;
    }

    private static String describe(LegReply reply) {
        return reply.error() != null ? reply.error().message()
                : reply.lostConnection() ? "the connection was lost" : "no answer";
    }
}
