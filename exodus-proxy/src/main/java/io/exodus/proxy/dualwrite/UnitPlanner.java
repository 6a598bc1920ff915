package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.CreateTableAs;
import io.exodus.proxy.sql.CursorVerb;
import io.exodus.proxy.sql.LargeObjectCalls;
import io.exodus.proxy.sql.NondeterministicValues;
import io.exodus.proxy.sql.PreparedStatementVerb;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.sql.TableFromRows;
import io.exodus.proxy.sql.TransactionBlockRules;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.Execute;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.Query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides how a dual-write session runs one client request ({@link UnitShape}), from the classification of every
 * statement the request executes. Keeps the session's {@link StatementBook} up to date as Parse, Bind, Close,
 * PREPARE and DEALLOCATE go by.
 */
final class UnitPlanner {
    private static final int MAX_REFUSED_IMAGES = 256;
    /**
     * The large objects a request created are looked for after it, by the transaction ids the session holds
     * ({@link LargeObjectImages}): a savepoint released or a transaction ended by the same request has let go of the
     * ids that made them.
     */
    private static final String LARGE_OBJECTS_AND_TRANSACTION_VERBS = "a request that creates a large object and also "
            + "opens or ends a transaction or savepoint is not mirrored in dual-write: send the transaction statements "
            + "on their own";
    private final ClassificationCache classifications;
    private final StatementBook book;
    private final boolean rowImages;

    /**
     * Texts whose row image the primary refused (see {@link LockstepWrite}): they run as their text
     * from then on, so that a table the session's role may not SELECT from does not cost every such write twice.
     * Bounded: a session that sends endless distinct failing texts stops remembering them.
     */
    private final Set<String> refusedImages = new HashSet<>();

    UnitPlanner(ClassificationCache classifications, StatementBook book, boolean rowImages) {
        this.classifications = classifications;
        this.book = book;
        this.rowImages = rowImages;
    }

    UnitPlan plan(List<PgMessage> messages) {
        PgMessage last = messages.get(messages.size() - 1);
        if (last.type() == FrontendMessageType.QUERY) {
            return planSimple(messages, Query.textOf(last));
        }
        if (last.type() == FrontendMessageType.FUNCTION_CALL) {
            return planFastPath(messages, FastPathCall.of(last));
        }
        return planExtended(messages);
    }

    /**
     * A fast-path call runs on both databases, as the same call (large-object descriptors and positions stay alike),
     * unless it writes a file on the source's host; only PostgreSQL's own functions have the same OID on the target.
     */
    private static UnitPlan planFastPath(List<PgMessage> messages, FastPathCall call) {
        if (!call.builtin()) {
            return new UnitPlan(UnitShape.UNSUPPORTED, messages, false, null, Optional.empty(), false,
                    "a " + call.describe() + " is not mirrored in dual-write: only PostgreSQL's built-in functions "
                            + "have the same OID on the source and the target; call the function with SELECT",
                    List.of(), false);
        }
        UnitShape shape = call.writesServerFile() ? UnitShape.READ : UnitShape.LOCKSTEP;
        return new UnitPlan(shape, messages, false, null, Optional.empty(), false, null, List.of(),
                call.createsLargeObject());
    }

    private UnitPlan planSimple(List<PgMessage> messages, String sql) {
        Classification whole = classifications.classify(sql);
        List<Classification> executed = new ArrayList<>(whole.statements().size());
        for (Classification statement : whole.statements()) {
            executed.add(executedAs(statement));
            recordPreparedEffects(statement);
        }
        UnitShape shape = shapeOf(executed, sql);
        boolean largeObjects = createLargeObjects(executed);
        String unsupported = null;
        if (shape == UnitShape.UNSUPPORTED) {
            unsupported = CopyFromRules.refusal(sql, whole);
            shape = unsupported == null ? UnitShape.COPY_IN : shape;
        } else if (largeObjects && letsGoOfTransactionIds(executed)) {
            shape = UnitShape.UNSUPPORTED;
            unsupported = LARGE_OBJECTS_AND_TRANSACTION_VERBS;
        }
        if (shape == UnitShape.LOCKSTEP && runsInTwoHalves(sql, whole)) {
            return new UnitPlan(UnitShape.TABLE_FROM_QUERY, messages, true, sql, Optional.empty(), false, null,
                    List.of(), largeObjects);
        }
        Optional<RowImageReturning> rowImage = shape == UnitShape.LOCKSTEP && rowImages && !whole.isMultiStatement()
                && !refusedImages.contains(sql) ? RowImageReturning.forStatement(sql, true, whole,
                        classifications.volatility()) : Optional.empty();
        return new UnitPlan(shape, messages, true, sql, rowImage, false, unsupported, List.of(), largeObjects);
    }

    /**
     * Whether a statement is a {@code CREATE TABLE … AS} that runs as its two halves ({@link TableFromQuery}): its
     * query draws values, or reads other tables, which the secondary would read later, as they are then.
     */
    private boolean runsInTwoHalves(String sql, Classification whole) {
        return rowImages && !whole.isMultiStatement() && whole.kind() == StatementKind.DDL
                && (NondeterministicValues.firstIn(sql, whole) != null || TableFromRows.createsTableFromTables(sql))
                && CreateTableAs.parse(sql).isPresent();
    }

    /** The primary refused this text with its row image: it runs (and is parsed) as its text from now on. */
    void imageRefused(String sql) {
        if (refusedImages.size() < MAX_REFUSED_IMAGES) {
            refusedImages.add(sql);
        }
    }

    /** The text failed as the client sent it too: the error was its own, and its row image is used again. */
    void imageNotToBlame(String sql) {
        refusedImages.remove(sql);
    }

    private UnitPlan planExtended(List<PgMessage> messages) {
        Batch batch = batch();
        messages.forEach(batch::add);
        return batch.plan();
    }

    /** A new extended-protocol batch, planned message by message as the client sends it. */
    Batch batch() {
        return new Batch();
    }

    /**
     * The messages of one extended-protocol request up to its Sync, each seen once as it arrives, so that the part a
     * Flush sends ahead is planned (and its statements entered in the book) before it reaches the primary.
     */
    final class Batch {
        private final List<PgMessage> messages = new ArrayList<>();
        private final List<StatementBook.Statement> statements = new ArrayList<>();
        private final List<Classification> executed = new ArrayList<>(2);
        private String firstText;
        private String writingText;
        private boolean rowImage;
        private boolean forbidsBlock;

        void add(PgMessage message) {
            messages.add(message);
            statements.add(enter(message));
        }

        int size() {
            return messages.size();
        }

        List<PgMessage> messages() {
            return messages;
        }

        /**
         * The whole batch, its Sync in: a lone {@code CREATE TABLE … AS} that runs as its two halves is planned so
         * ({@link LoneTableFromQuery}), unless a part of the batch already went to the primary ahead of the Sync.
         */
        UnitPlan planAtSync(boolean partSentAhead) {
            UnitPlan plan = plan();
            if (partSentAhead || plan.shape() != UnitShape.LOCKSTEP && plan.shape() != UnitShape.SEQUENTIAL) {
                return plan;
            }
            // What the last Execute before the Sync runs: every write but DDL goes no further.
            StatementBook.Statement last = statements.size() < 2 ? null : statements.get(statements.size() - 2);
            if (last == null || last.classification().kind() != StatementKind.DDL) {
                return plan;
            }
            LoneTableFromQuery lone = LoneTableFromQuery.of(messages, statements);
            if (lone == null || !runsInTwoHalves(lone.sql(), last.classification())) {
                return plan;
            }
            return new UnitPlan(UnitShape.TABLE_FROM_QUERY, plan.messages(), false, lone.sql(), Optional.empty(), false,
                    null, plan.statements(), plan.createsLargeObjects());
        }

        /**
         * The batch as far as it has come (or whole, once its Sync is in). Its lists are views of the batch's own, not
         * copies: a pipeline that flushes after every statement would otherwise copy the batch once per Flush. The
         * batch only grows, and is dropped at its Sync.
         */
        UnitPlan plan() {
            UnitShape shape = shapeOf(executed, forbidsBlock);
            String text = writingText != null ? writingText : firstText;
            String unsupported = shape == UnitShape.UNSUPPORTED ? CopyFromRules.refusalInExtendedProtocol(text) : null;
            boolean largeObjects = createLargeObjects(executed);
            if (largeObjects && letsGoOfTransactionIds(executed)) {
                shape = UnitShape.UNSUPPORTED;
                unsupported = LARGE_OBJECTS_AND_TRANSACTION_VERBS;
            }
            return new UnitPlan(shape, Collections.unmodifiableList(messages), false, text, Optional.empty(),
                    rowImage && (shape == UnitShape.LOCKSTEP || shape == UnitShape.SEQUENTIAL), unsupported,
                    Collections.unmodifiableList(statements), largeObjects);
        }

        private StatementBook.Statement enter(PgMessage message) {
            switch (message.type()) {
                case FrontendMessageType.PARSE -> {
                    Parse parse = Parse.of(message);
                    String name = parse.statement();
                    String sql = parse.sql();
                    Classification classification = classifications.classify(sql);
                    Optional<RowImageReturning> image = rowImages && classification.kind() == StatementKind.WRITE
                            && !refusedImages.contains(sql)
                            ? RowImageReturning.forStatement(sql, true, classification, classifications.volatility())
                            : Optional.empty();
                    StatementBook.Statement parsed = new StatementBook.Statement(sql, classification, message, image);
                    book.parsed(name, parsed);
                    return parsed;
                }
                case FrontendMessageType.BIND -> {
                    Bind bind = Bind.of(message);
                    book.bound(bind.portal(), bind.statement());
                    return book.statement(bind.statement());
                }
                case FrontendMessageType.DESCRIBE -> {
                    NamedObject described = NamedObject.of(message);
                    return described.statement() ? book.statement(described.name())
                            : book.portalStatement(described.name());
                }
                case FrontendMessageType.EXECUTE -> {
                    StatementBook.Statement statement = book.portalStatement(Execute.portalOf(message));
                    executed(statement);
                    return statement;
                }
                case FrontendMessageType.CLOSE -> {
                    NamedObject closed = NamedObject.of(message);
                    if (closed.portal()) {
                        book.closedPortal(closed.name());
                    }
                    // A closed statement stays in the book until the secondary's request is built (it may need the
                    // Close); the relay forgets it then.
                    return null;
                }
                default -> {
                    return null;
                }
            }
        }

        private void executed(StatementBook.Statement statement) {
            Classification classification = statement == null ? Classification.of(StatementKind.UNKNOWN)
                    : statement.classification();
            for (Classification part : classification.statements()) {
                Classification resolved = executedAs(part);
                executed.add(resolved);
                recordPreparedEffects(part);
                if (resolved.runsOnBothLegs() && writingText == null && statement != null) {
                    writingText = statement.sql();
                }
            }
            if (statement != null) {
                firstText = firstText == null ? statement.sql() : firstText;
                rowImage |= statement.rowImage().isPresent();
                forbidsBlock |= classification.kind() == StatementKind.DDL
                        && TransactionBlockRules.forbidsTransactionBlock(statement.sql());
            }
        }
    }

    /**
     * What running the statement amounts to: what an EXECUTE runs; and a read (the primary alone) for {@code DEALLOCATE
     * name} of a statement the secondary never parsed: one the client prepared through the protocol and only read with,
     * or whose executions reached the secondary as row images (psycopg evicting its statement cache does this).
     */
    private Classification executedAs(Classification statement) {
        if (statement.cursorVerb() == CursorVerb.FETCH && statement.cursorName() != null
                && book.cursorWrites(statement.cursorName())) {
            // The cursor's query writes, and its DECLARE ran on both legs: each FETCH runs a part of it, on both.
            return Classification.of(StatementKind.WRITE);
        }
        if (statement.preparedVerb() == PreparedStatementVerb.DEALLOCATE && statement.preparedName() != null
                && book.sqlPrepared(statement.preparedName()) == null && !book.isOnSecondary(statement.preparedName())) {
            return Classification.of(StatementKind.READ);
        }
        return resolveExecute(statement);
    }

    /** EXECUTE name runs what PREPARE name prepared; an unknown name counts as a write. */
    private Classification resolveExecute(Classification statement) {
        if (statement.preparedVerb() != PreparedStatementVerb.EXECUTE) {
            return statement;
        }
        Classification inner = statement.preparedName() == null ? null : book.sqlPrepared(statement.preparedName());
        return inner == null ? Classification.of(StatementKind.UNKNOWN) : inner;
    }

    private void recordPreparedEffects(Classification statement) {
        switch (statement.cursorVerb()) {
            case DECLARE -> {
                if (statement.cursorName() != null) {
                    // A cursor that only locks rows (FOR UPDATE) is fetched on the primary alone, as before: fetched on
                    // both, the target's could stand on another row (no ORDER BY), where a later UPDATE … WHERE
                    // CURRENT OF would change it silently; unfetched there, that UPDATE fails there, loudly.
                    book.cursorDeclared(statement.cursorName(), statement.runsOnBothLegs() && !statement.locking());
                }
            }
            case CLOSE -> book.cursorClosed(statement.cursorName());
            case CLOSE_ALL -> book.allCursorsClosed();
            default -> {
            }
        }
        switch (statement.preparedVerb()) {
            case PREPARE -> {
                if (statement.preparedName() != null && statement.inner() != null) {
                    book.sqlPrepared(statement.preparedName(), statement.inner());
                }
            }
            case DEALLOCATE -> {
                if (statement.preparedName() != null) {
                    book.sqlDeallocated(statement.preparedName());
                }
            }
            case DEALLOCATE_ALL -> book.deallocatedAll();
            default -> {
            }
        }
    }

    /** A statement that ends the transaction or a savepoint: the session no longer holds the ids that wrote before. */
    private static boolean letsGoOfTransactionIds(List<Classification> executed) {
        for (Classification statement : executed) {
            switch (statement.transactionVerb()) {
                case COMMIT, COMMIT_AND_CHAIN, ROLLBACK, ROLLBACK_AND_CHAIN, RELEASE_SAVEPOINT, ROLLBACK_TO_SAVEPOINT,
                        PREPARE_TRANSACTION -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    private static boolean createLargeObjects(List<Classification> executed) {
        for (Classification statement : executed) {
            if (LargeObjectCalls.create(statement)) {
                return true;
            }
        }
        return false;
    }

    private static UnitShape shapeOf(List<Classification> executed, String sql) {
        boolean writesOrDdl = false;
        for (Classification statement : executed) {
            writesOrDdl |= statement.kind() == StatementKind.DDL || statement.kind() == StatementKind.UNKNOWN;
        }
        return shapeOf(executed, writesOrDdl && TransactionBlockRules.forbidsTransactionBlock(sql));
    }

    static UnitShape shapeOf(List<Classification> executed, boolean forbidsTransactionBlock) {
        if (executed.isEmpty()) {
            return UnitShape.READ;
        }
        if (executed.size() == 1) {
            Classification only = executed.get(0);
            if (only.kind() == StatementKind.TRANSACTION) {
                return transactionShape(only);
            }
        }
        boolean reads = true;
        boolean sessionOnly = true;
        boolean transactionVerb = false;
        for (Classification statement : executed) {
            StatementKind kind = statement.kind();
            if (kind == StatementKind.COPY_IN) {
                return UnitShape.UNSUPPORTED;
            }
            reads &= !kind.runsOnBothLegs();
            sessionOnly &= kind == StatementKind.SESSION || !kind.runsOnBothLegs();
            transactionVerb |= kind == StatementKind.TRANSACTION;
        }
        if (reads) {
            return UnitShape.READ;
        }
        if (transactionVerb || forbidsTransactionBlock) {
            return UnitShape.SEQUENTIAL;
        }
        return sessionOnly ? UnitShape.CONCURRENT : UnitShape.LOCKSTEP;
    }

    private static UnitShape transactionShape(Classification statement) {
        TransactionVerb verb = statement.transactionVerb();
        return switch (verb) {
            case COMMIT -> UnitShape.COMMIT;
            case COMMIT_AND_CHAIN, ROLLBACK_AND_CHAIN -> UnitShape.CHAINED_END;
            // A read-only transaction cannot write: the secondary need not take part.
            case BEGIN -> statement.readOnlyTransaction() ? UnitShape.READ : UnitShape.CONCURRENT;
            case ROLLBACK, SAVEPOINT, RELEASE_SAVEPOINT, ROLLBACK_TO_SAVEPOINT, SET_TRANSACTION,
                    SET_SESSION_CHARACTERISTICS -> UnitShape.CONCURRENT;
            case PREPARE_TRANSACTION, COMMIT_PREPARED, ROLLBACK_PREPARED, NONE -> UnitShape.SEQUENTIAL;
        };
    }
}
