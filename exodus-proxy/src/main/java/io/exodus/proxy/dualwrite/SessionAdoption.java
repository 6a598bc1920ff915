package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.PreparedStatementVerb;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    /** The role SET ROLE chose, which pg_settings does not list (no row when none was chosen). */
    static final String ROLE_SET = "SELECT 'role', pg_catalog.current_setting('role') "
            + "WHERE pg_catalog.current_setting('role') <> 'none'";
    /**
     * The session's settings (pg_settings lists neither the role nor the session authorization: each is read on its
     * own; a session authorization counts when it differs from the user the session logged in as), prepared
     * statements (but the one that reads all this, {@link #STATEMENT}), and what the target cannot be given.
     */
    private static final String STATE_QUERY = """
            SELECT 'setting', name, pg_catalog.current_setting(name), NULL FROM pg_catalog.pg_settings \
            WHERE source = 'session' \
            UNION ALL SELECT 'setting', 'role', pg_catalog.current_setting('role'), NULL \
            WHERE pg_catalog.current_setting('role') <> 'none' \
            UNION ALL SELECT 'setting', 'session_authorization', session_user, NULL FROM pg_catalog.pg_stat_activity \
            WHERE pid = pg_catalog.pg_backend_pid() AND usename <> session_user \
            UNION ALL SELECT 'encoding', 'client_encoding', pg_catalog.current_setting('client_encoding'), NULL \
            UNION ALL SELECT CASE WHEN from_sql THEN 'sql-prepared' ELSE 'prepared' END, name, statement, \
            parameter_types::pg_catalog.oid[]::text FROM pg_catalog.pg_prepared_statements \
            WHERE name <> '%s' \
            UNION ALL SELECT 'temporary table', relname::text, NULL, NULL FROM pg_catalog.pg_class \
            WHERE relnamespace = pg_catalog.pg_my_temp_schema() AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
            UNION ALL SELECT 'held cursor', name, NULL, NULL FROM pg_catalog.pg_cursors WHERE is_holdable \
            UNION ALL SELECT 'listening', channel, NULL, NULL FROM pg_catalog.pg_listening_channels() AS channel \
            UNION ALL SELECT 'advisory lock', objid::text, NULL, NULL FROM pg_catalog.pg_locks \
            WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid() AND granted""".formatted(STATEMENT);
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
     * @param settings  name and value of each setting changed by SET, session_authorization first and role last
     * @param listening    the channels the session LISTENs to: notifications come from the primary, so a session whose
     *                     primary moves listens on the new one
     * @param obstacles    what the target cannot be given, said for the client; empty when the session can follow
     * @param primaryBound what ties the session to its primary's connection (session-level advisory locks): no
     *                     obstacle to mirroring its writes, one to moving its primary
     */
    record SessionSetup(List<String[]> settings, List<Prepared> prepared, List<String[]> sqlPrepared,
            List<String> listening, List<String> obstacles, List<String> primaryBound) {
    }

    /** Why a session whose PREPARE came in a text of several statements cannot be set up on a new connection. */
    static final String MULTI_STATEMENT_PREPARE = "it holds a statement prepared by PREPARE in a text of several "
            + "statements, which Exodus cannot prepare again alone";

    private SessionAdoption() {
    }

    /** What {@link #STATE_QUERY} reads, and the session's custom settings ({@link CustomSettings}). */
    static String stateQuery(Set<String> customNames) {
        return STATE_QUERY + " UNION ALL SELECT 'setting', n, v, NULL FROM ("
                + CustomSettings.rows(customNames, "pg_catalog.pg_settings") + ") custom(n, v)";
    }

    /**
     * @param customNames the names of custom settings the session was seen to use, besides those the catalog
     *                    shows ({@link CustomSettings})
     */
    static Future<SessionSetup> read(Leg primary, Set<String> customNames) {
        Buffer request = FrontendMessages.parse(STATEMENT, stateQuery(customNames), new int[0]);
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
        List<String> listening = new ArrayList<>();
        List<String> primaryBound = new ArrayList<>();
        String encoding = "UTF8";
        for (List<String> row : rows) {
            String kind = row.get(0);
            String name = row.get(1);
            switch (kind) {
                case "setting" -> {
                    String[] setting = {name, row.get(2)};
                    if (name.equals("session_authorization")) {
                        settings.add(0, setting);
                    } else {
                        settings.add(setting);
                    }
                }
                case "encoding" -> encoding = row.get(2);
                case "prepared" -> prepared.add(new Prepared(name, row.get(2), oids(row.get(3))));
                case "sql-prepared" -> sqlPrepared.add(new String[] {name, row.get(2)});
                case "listening" -> listening.add(name);
                case "advisory lock" -> primaryBound.add("the advisory lock " + name);
                default -> obstacles.add("the " + kind + " " + name);
            }
        }
        if (!encoding.equalsIgnoreCase("UTF8") && !(prepared.isEmpty() && sqlPrepared.isEmpty())) {
            // The statements' texts came in the client's encoding; Exodus would parse them again as UTF-8.
            obstacles.add("prepared statements in client encoding " + encoding);
        }
        // The role last: settings only a superuser may change are set before the role gives that up.
        settings.sort(Comparator.comparing(setting -> setting[0].equals("role")));
        return new SessionSetup(settings, prepared, sqlPrepared, listening, obstacles, primaryBound);
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

    /** {@code ARRAY[…]::text[]} of the values, each a {@link #literal}. */
    static String textArray(Collection<String> values) {
        StringBuilder array = new StringBuilder("ARRAY[");
        String separator = "";
        for (String value : values) {
            array.append(separator).append(literal(value));
            separator = ", ";
        }
        return array.append("]::text[]").toString();
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
            ClassificationCache classifications, Leg primary) {
        Buffer reparse = Buffer.buffer();
        for (Prepared statement : setup.prepared()) {
            Classification classification = classifications.classify(statement.sql());
            Optional<RowImageReturning> image = dual.rowImages() && classification.kind() == StatementKind.WRITE
                    ? RowImageReturning.forStatement(statement.sql(), true, classification,
                            classifications.volatility()) : Optional.empty();
            book.parsed(statement.name(), new StatementBook.Statement(statement.sql(), classification,
                    statement.parse(), image));
            if (image.isPresent()) {
                FrontendMessages.appendCloseStatement(reparse, statement.name());
                FrontendMessages.appendParse(reparse, statement.name(), image.get().rewrittenSql(),
                        statement.parameterTypes());
            }
        }
        for (String[] prepared : setup.sqlPrepared()) {
            Classification classification = classifications.classify(prepared[1]);
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
    static List<String> stateStatements(SessionSetup setup, ClassificationCache classifications) {
        List<String> statements = new ArrayList<>();
        String settings = settingsStatement(setup.settings());
        if (settings != null) {
            statements.add(settings);
        }
        for (String[] prepared : setup.sqlPrepared()) {
            Classification classification = classifications.classify(prepared[1]);
            if (classification.preparedVerb() != PreparedStatementVerb.PREPARE || !classification.parts().isEmpty()) {
                return null;
            }
            statements.add(prepared[1]);
        }
        return statements;
    }

    /**
     * Runs the statements that give a new connection the session's state ({@link #stateStatements}, in one query);
     * completes with what the connection answered when it refused them (SQLSTATE and message), or null.
     */
    static Future<String> give(Leg leg, List<String> statements) {
        if (statements.isEmpty()) {
            return Future.succeededFuture(null);
        }
        return leg.send(FrontendMessages.query(String.join(";\n", statements)), 1, Leg.DISCARD)
                .map(reply -> reply.failed() ? refusal(reply) : null);
    }

    /** A refusal as the logs and the client are told it: SQLSTATE and message, or the lost connection. */
    static String refusal(LegReply reply) {
        return reply.error() != null ? reply.error().sqlState() + " " + reply.error().message()
                : "the connection was lost";
    }

    private static String describe(LegReply reply) {
        return reply.error() != null ? reply.error().message()
                : reply.lostConnection() ? "the connection was lost" : "no answer";
    }
}
