package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.consistency.RowImageInsert;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.Execute;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds what the secondary receives for a client request, and what the primary receives when INSERTs run with an
 * added {@code RETURNING *}. The secondary gets the client's messages with these changes: a statement it has not
 * parsed yet is parsed in front of its first Bind (from the Parse the client sent the primary); a Close of a
 * statement it never had is left out, as are Describe and Flush (nobody reads its descriptions); a rewritten INSERT
 * becomes the rows the primary produced ({@link RowImageInsert}).
 */
final class SecondaryRequests {
    private final StatementBook book;
    private final long rowImageMaxBytes;

    /** @param rowImageMaxBytes what one request's row images may hold in memory on their way to the secondary */
    SecondaryRequests(StatementBook book, long rowImageMaxBytes) {
        this.book = book;
        this.rowImageMaxBytes = rowImageMaxBytes;
    }

    /** The primary's request for {@code plan}'s messages from {@code from} on; see below. */
    PrimaryRequest primary(UnitPlan plan, int from, boolean unnamedStatementLive) {
        return primary(plan, from, unnamedStatementLive, false);
    }

    /**
     * The primary's request, with rewritten Parses and a Describe in front of each rewritten Execute.
     *
     * @param from                 the first message to send: those before it went ahead of the Sync already
     * @param unnamedStatementLive whether the primary still has the unnamed statement the client last parsed: a
     *                             simple Query that Exodus sent itself dropped it, and it is parsed again, unseen by
     *                             the client, in front of a Bind that needs it
     * @param afterOwnBegin        Exodus sends its own BEGIN in front, which also drops the unnamed portal that a
     *                             part sent ahead bound: it is bound again, unseen, when the rest executes it
     */
    PrimaryRequest primary(UnitPlan plan, int from, boolean unnamedStatementLive, boolean afterOwnBegin) {
        List<PgMessage> messages = plan.messages();
        Buffer out = Buffer.buffer(256);
        if (plan.simple()) {
            String sql = plan.rowImage().isPresent() ? plan.rowImage().get().rewrittenSql() : null;
            if (sql == null) {
                appendFramed(out, messages.get(0));
                return new PrimaryRequest(out, null, rowImageMaxBytes);
            }
            FrontendMessages.appendQuery(out, sql);
            return new PrimaryRequest(out, List.of(executeExpectation(plan.rowImage().get()),
                    PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.SYNC)), rowImageMaxBytes);
        }
        UnnamedRestore restore = UnnamedRestore.of(plan, from, unnamedStatementLive && !afterOwnBegin, afterOwnBegin);
        List<PrimaryRowImageFilter.Expectation> expectations = null;
        if (usesRowImages(plan) || restore.any()) {
            expectations = new ArrayList<>();
        }
        if (restore.parse() != null) {
            appendPrimaryParse(out, restore.parse().parse(), restore.parse());
            expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.HIDDEN));
        }
        if (restore.bind() != null) {
            appendFramed(out, restore.bind());
            expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.HIDDEN));
        }
        for (int i = from; i < messages.size(); i++) {
            PgMessage message = messages.get(i);
            if (expectations == null) {
                appendFramed(out, message);
                continue;
            }
            switch (message.type()) {
                case FrontendMessageType.PARSE -> {
                    appendPrimaryParse(out, message, plan.statementAt(i));
                    expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.OTHER));
                }
                case FrontendMessageType.DESCRIBE -> {
                    StatementBook.Statement statement = plan.statementAt(i);
                    boolean hide = statement != null && statement.rowImage().isPresent()
                            && !statement.rowImage().get().clientAskedForAllColumns();
                    appendFramed(out, message);
                    expectations.add(hide ? new PrimaryRowImageFilter.Expectation(
                            PrimaryRowImageFilter.Expect.DESCRIBE_REWRITTEN, statement.rowImage().get().projection())
                            : PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.OTHER));
                }
                case FrontendMessageType.EXECUTE -> {
                    String portal = Execute.portalOf(message);
                    StatementBook.Statement statement = plan.statementAt(i);
                    if (statement != null && statement.rowImage().isPresent()) {
                        FrontendMessages.appendDescribePortal(out, portal);
                        expectations.add(PrimaryRowImageFilter.Expectation.of(
                                PrimaryRowImageFilter.Expect.DESCRIBE_FOR_IMAGE));
                        if (statement.rowImage().get().clientAskedForAllColumns()) {
                            appendFramed(out, message);
                        } else {
                            // Drivers run a statement that returns nothing with a row limit of 1 (pgJDBC does): the
                            // added RETURNING must not stop the portal after one row, or the image would be cut.
                            FrontendMessages.appendExecute(out, portal, 0);
                        }
                        expectations.add(executeExpectation(statement.rowImage().get()));
                    } else {
                        appendFramed(out, message);
                        expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.EXECUTE_PLAIN));
                    }
                }
                case FrontendMessageType.SYNC -> {
                    appendFramed(out, message);
                    expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.SYNC));
                }
                case FrontendMessageType.FLUSH -> appendFramed(out, message);
                default -> {
                    appendFramed(out, message);
                    expectations.add(PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.OTHER));
                }
            }
        }
        return new PrimaryRequest(out, expectations, rowImageMaxBytes);
    }

    /** A Parse as the primary runs it: with {@code RETURNING *} added when its statement has a row image. */
    private static void appendPrimaryParse(Buffer out, PgMessage parse, StatementBook.Statement statement) {
        if (statement == null || statement.rowImage().isEmpty()) {
            appendFramed(out, parse);
            return;
        }
        appendFramed(out, Parse.withSql(parse, statement.rowImage().get().rewrittenSql()));
    }

    /**
     * @param expectations null when nothing was rewritten: the primary's answer needs no filtering
     */
    record PrimaryRequest(Buffer buffer, List<PrimaryRowImageFilter.Expectation> expectations,
            long rowImageMaxBytes) {
        /** Where the primary's answers go: through a {@link PrimaryRowImageFilter} when anything was rewritten. */
        Leg.Sink answersTo(Leg.Sink client) {
            PrimaryRowImageFilter filter = filterFor(client);
            return filter == null ? client : filter;
        }

        /** The filter that keeps the row images from the primary's answers, or null when nothing was rewritten. */
        PrimaryRowImageFilter filterFor(Leg.Sink client) {
            return expectations == null ? null : new PrimaryRowImageFilter(client, expectations, rowImageMaxBytes);
        }
    }

    private static PrimaryRowImageFilter.Expectation executeExpectation(RowImageReturning image) {
        return image.clientAskedForAllColumns()
                ? PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.EXECUTE_IMAGE_SHOWN)
                : new PrimaryRowImageFilter.Expectation(PrimaryRowImageFilter.Expect.EXECUTE_IMAGE, image.projection());
    }

    /**
     * The secondary's request and the command tags it must answer with if it does what the primary did.
     *
     * @param primaryTags    the primary's tags for the client's statements, in order
     * @param replayPrepared the statements a replay of this transaction has parsed so far, or null: then no replay
     *                       copy is built. The replay copy runs on a connection of its own, so a statement parsed
     *                       before the transaction is parsed there again in front of its first Bind.
     */
    SecondaryRequest secondary(UnitPlan plan, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes, List<String> primaryTags, Set<String> replayPrepared) {
        boolean images = plan.usesRowImage();
        List<PgMessage> messages = plan.messages();
        Buffer out = Buffer.buffer(256);
        List<String> expected = new ArrayList<>(primaryTags.size() + 4);
        int tagIndex = 0;
        int captureIndex = 0;
        if (plan.simple()) {
            if (plan.rowImage().isPresent()) {
                PrimaryRowImageFilter.Capture capture = captures.get(0);
                CapturedImages.requireWhole(plan.rowImage().get(), capture,
                        primaryTags.size() == 1 ? primaryTags.get(0) : null, plan.fingerprint());
                CapturedImages.append(out, plan.rowImage().get(), capture, shapes, expected);
                FrontendMessages.appendSync(out);
            } else {
                appendFramed(out, messages.get(0));
                expected.addAll(primaryTags);
            }
            return new SecondaryRequest(out, expected, replayPrepared == null ? null : out);
        }
        Buffer replay = replayPrepared == null ? null : Buffer.buffer(256);
        Set<String> live = book.onSecondary();
        // Any simple Query since (Exodus' own BEGIN, COMMIT and commit markers among them) dropped the unnamed
        // statement there: one the request binds without parsing it is parsed again in front of its Bind.
        live.remove("");
        if (replayPrepared != null) {
            replayPrepared.remove("");
        }
        Set<String> parsedHere = new HashSet<>();
        Set<String> replayParsedHere = new HashSet<>();
        for (int index = 0; index < messages.size(); index++) {
            PgMessage message = messages.get(index);
            boolean imageable = images;
            switch (message.type()) {
                case FrontendMessageType.PARSE -> {
                    String name = Parse.statementOf(message);
                    StatementBook.Statement statement = plan.statementAt(index);
                    if (imageable && statement != null && statement.rowImage().isPresent()) {
                        continue;
                    }
                    appendFramed(out, message);
                    parsedHere.add(name);
                    live.add(name);
                    if (replay != null) {
                        appendFramed(replay, message);
                        replayParsedHere.add(name);
                        replayPrepared.add(name);
                    }
                }
                case FrontendMessageType.BIND -> {
                    String name = Bind.of(message).statement();
                    StatementBook.Statement statement = plan.statementAt(index);
                    if (imageable && statement != null && statement.rowImage().isPresent()) {
                        continue;
                    }
                    parseAhead(out, statement, name, parsedHere, live);
                    appendFramed(out, message);
                    if (replay != null) {
                        parseAhead(replay, statement, name, replayParsedHere, replayPrepared);
                        appendFramed(replay, message);
                    }
                }
                case FrontendMessageType.EXECUTE -> {
                    StatementBook.Statement statement = plan.statementAt(index);
                    if (imageable && statement != null && statement.rowImage().isPresent()) {
                        int before = out.length();
                        PrimaryRowImageFilter.Capture capture = captures.get(captureIndex++);
                        CapturedImages.requireWhole(statement.rowImage().get(), capture,
                                tagIndex < primaryTags.size() ? primaryTags.get(tagIndex) : null,
                                UnitPlan.fingerprintOf(statement.sql()));
                        CapturedImages.append(out, statement.rowImage().get(), capture, shapes, expected);
                        if (replay != null) {
                            replay.appendBuffer(out, before, out.length() - before);
                            replayPrepared.remove("");
                            replayParsedHere.remove("");
                        }
                        tagIndex++;
                        // The row image used the unnamed statement: the client's one is gone on the secondary.
                        live.remove("");
                        parsedHere.remove("");
                    } else {
                        appendFramed(out, message);
                        if (replay != null) {
                            appendFramed(replay, message);
                        }
                        if (tagIndex < primaryTags.size()) {
                            expected.add(primaryTags.get(tagIndex++));
                        }
                    }
                }
                case FrontendMessageType.CLOSE -> {
                    NamedObject closed = NamedObject.of(message);
                    String name = closed.name();
                    if (closed.portal()) {
                        appendFramed(out, message);
                        if (replay != null) {
                            appendFramed(replay, message);
                        }
                    } else {
                        if (live.remove(name)) {
                            appendFramed(out, message);
                        }
                        if (replay != null && replayPrepared.remove(name)) {
                            appendFramed(replay, message);
                        }
                        book.closedStatement(name);
                    }
                }
                case FrontendMessageType.DESCRIBE, FrontendMessageType.FLUSH -> {
                }
                default -> {
                    appendFramed(out, message);
                    if (replay != null) {
                        appendFramed(replay, message);
                    }
                }
            }
        }
        return new SecondaryRequest(out, expected, replay);
    }

    /** A named statement the connection has not parsed yet is parsed in front of its first Bind. */
    private static void parseAhead(Buffer out, StatementBook.Statement statement, String name, Set<String> parsedHere,
            Set<String> parsedThere) {
        if (statement != null && !parsedHere.contains(name) && !parsedThere.contains(name)) {
            appendFramed(out, statement.parse());
            parsedHere.add(name);
            parsedThere.add(name);
        }
    }

    /** @param replay the same request for a replay of the transaction, or null when none is recorded */
    record SecondaryRequest(Buffer buffer, List<String> expectedTags, Buffer replay) {
    }

    /** Close messages for statements the secondary holds, when the request itself does not go there. */
    Buffer closesOnly(UnitPlan plan) {
        Buffer out = null;
        for (PgMessage message : plan.messages()) {
            if (message.type() != FrontendMessageType.CLOSE) {
                continue;
            }
            NamedObject closed = NamedObject.of(message);
            String name = closed.name();
            if (closed.statement()) {
                if (book.isOnSecondary(name)) {
                    out = out == null ? Buffer.buffer() : out;
                    appendFramed(out, message);
                    book.forgetOnSecondary(name);
                }
                book.closedStatement(name);
            }
        }
        if (out != null) {
            FrontendMessages.appendSync(out);
        }
        return out;
    }

    /** Whether any message of the request parses, describes or executes a statement that runs with a row image. */
    private static boolean usesRowImages(UnitPlan plan) {
        for (StatementBook.Statement statement : plan.statements()) {
            if (statement != null && statement.rowImage().isPresent()) {
                return true;
            }
        }
        return false;
    }

    static void appendFramed(Buffer out, PgMessage message) {
        out.appendByte(message.type()).appendInt(message.body().length() + 4).appendBuffer(message.body());
    }
}
