package io.exodus.proxy.session;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.consistency.ConsistencyPolicy;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.metrics.RelayMetrics;
import io.exodus.proxy.metrics.RequestClassifier;
import io.exodus.proxy.protocol.ErrorResponse;
import io.exodus.proxy.protocol.FrontendMessageType;
import io.exodus.proxy.protocol.FrontendMessages;
import io.exodus.proxy.protocol.MessageAssembler;
import io.exodus.proxy.protocol.PgMessage;
import io.exodus.proxy.protocol.ProtocolViolation;
import io.exodus.proxy.protocol.SqlState;
import io.exodus.proxy.sql.TransactionVerb;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * The established session in phase dual-write: the client talks to one connection, and every request runs on the
 * primary leg and, when it writes, on the secondary leg, in the order of ADR 0004. Requests are taken one at a time
 * (a simple Query, or extended-protocol messages up to Sync); the {@link UnitPlanner} decides their
 * {@link UnitShape}, and this class carries each shape out. What a failure on the secondary means is the
 * {@link ConsistencyPolicy}'s business, read when a transaction starts; commits are {@link TransactionCommit}'s.
 */
final class DualWriteRelay implements Relay {
    private static final Logger LOG = Logger.getLogger(DualWriteRelay.class);
    private static final long RECONNECT_INTERVAL_NANOS = 5_000_000_000L;
    private static final int PAUSE_CLIENT_ABOVE_BYTES = 1 << 20;

    private final ClientSession session;
    private final NetSocket client;
    private final SessionServices services;
    private final DualWriteServices dual;
    private final BackendLogin login;
    private final Leg primary;
    private Leg secondary;
    private final MessageAssembler clientMessages;
    private final List<PgMessage> pendingUnit = new ArrayList<>();
    private final StatementBook book = new StatementBook();
    private final UnitPlanner planner;
    private final SecondaryRequests requests;
    private final SessionStateLog sessionState = new SessionStateLog();
    private final TransactionCommit commits;
    private final RelayMetrics metrics;
    private final boolean classifiesStatements;
    private Buffer outbound = Buffer.buffer(512);
    /** Messages of the pending unit already sent to the primary ahead of a Flush. */
    private int sentAheadOfSync;
    private boolean busy;
    private boolean paused;
    private boolean closed;
    private boolean closeWhenIdle;
    private boolean legsClosed;
    private boolean closeAfterUnit;
    private UnitShape currentShape;
    /** BothRequired after a secondary failure: this session no longer uses the secondary. */
    private boolean pinned;
    private long lastReconnectAttempt;
    /** The secondary takes part in the current transaction (its BEGIN went through, nothing made us drop it). */
    private boolean secondaryInTransaction;
    /** The current transaction sent the secondary something that writes. */
    private boolean secondaryWrote;
    /** Set when the secondary failed behind the primary in this transaction: the error its COMMIT gets. */
    private ErrorResponse deferredSecondaryFailure;
    /** The secondary is in a transaction that must be rolled back when the primary's ends. */
    private boolean secondaryNeedsRollback;
    /** Counts transaction ends, so that a late answer of the secondary is matched to its own transaction. */
    private long transactionSerial;
    /** The policy the current transaction started under. */
    private ConsistencyPolicy transactionPolicy;
    /** What the current transaction sent (or would have sent) to the secondary, when its policy replays. */
    private io.exodus.proxy.replay.TransactionRecording recording;
    /** The current transaction goes to the replay queue when it commits: the secondary missed part of it. */
    private boolean queueTransaction;

    DualWriteRelay(ClientSession session, NetSocket client, SessionServices services, DualWriteServices dual,
            BackendLogin login, BackendConnection source, BackendConnection target) {
        this.session = session;
        this.client = client;
        this.services = services;
        this.dual = dual;
        this.login = login;
        this.metrics = services.metrics().openRelay();
        this.classifiesStatements = metrics.classifiesStatements();
        this.clientMessages = new MessageAssembler(services.maxMessageSize());
        this.primary = new Leg(source, services.maxMessageSize());
        primary.measuredBy(dual.metrics(), true, this::currentPolicy);
        this.planner = new UnitPlanner(dual.classifications(), book, dual.rowImages());
        this.requests = new SecondaryRequests(book);
        this.commits = new TransactionCommit(this, dual);
        if (target != null) {
            attachSecondary(new Leg(target, services.maxMessageSize()));
        }
    }

    void start() {
        primary.onUnsolicited(this::toClient);
        primary.afterChunk(this::flushClient);
        primary.onLost(why -> {
            LOG.infof("Session of \"%s\": %s", login.user(), why);
            session.closeWithError(ErrorResponse.fatal(SqlState.CONNECTION_FAILURE, why));
        });
        primary.start();
        client.handler(this::fromClientChunk);
        client.drainHandler(v -> {
            if (paused && !busy) {
                resumeClient();
            }
        });
    }

    private void attachSecondary(Leg leg) {
        secondary = leg;
        leg.answerWithin(services.vertx(), dual.secondaryTimeout());
        leg.measuredBy(dual.metrics(), false, this::currentPolicy);
        leg.onLost(why -> {
            LOG.warnf("Session of \"%s\": %s; writes continue on the primary as policy %s says", login.user(), why,
                    currentPolicy().configName());
            if (secondary == leg && recording != null && primary.transactionStatus() != 'I' && canQueue()) {
                // What the secondary applied of this transaction is gone with it: the whole of it goes to the queue.
                queueCurrentTransaction("the target was lost during the transaction");
            }
            if (secondary == leg) {
                dual.metrics().secondaryDetached(leg.timedOut() ? io.exodus.proxy.metrics.SecondaryDetachment.TIMEOUT
                        : io.exodus.proxy.metrics.SecondaryDetachment.LOST);
                secondary = null;
                secondaryInTransaction = false;
            }
        });
        leg.start();
    }

    // ---- client side -------------------------------------------------------------------------------------------

    @Override
    public void fromClient(Buffer early) {
        fromClientChunk(early);
    }

    private void fromClientChunk(Buffer chunk) {
        if (closed) {
            return;
        }
        clientMessages.append(chunk);
        pump();
    }

    private void pump() {
        while (!busy && !closed) {
            PgMessage message;
            try {
                message = clientMessages.nextTyped();
                if (message != null && !FrontendMessageType.isKnownInSession(message.type())) {
                    throw ProtocolViolation.of("invalid frontend message type "
                            + FrontendMessageType.describe(message.type()));
                }
            } catch (ProtocolViolation violation) {
                session.closeWithError(ErrorResponse.fatal(violation.sqlState(), violation.getMessage()));
                return;
            }
            if (message == null) {
                break;
            }
            metrics.clientMessage(message.type(), message.body().length() + 4);
            if (classifiesStatements && RequestClassifier.bytesWanted(message.type()) > 0) {
                // The same leading-keyword reading as phase direct's, so that both phases tag requests alike.
                metrics.clientMessageStart(message.type(), message.body().getByteBuf(), 0, message.body().length());
            }
            metrics.forwardedToBackend(message.body().length() + 5);
            onClientMessage(message);
        }
        if (busy && !paused && clientMessages.buffered() > PAUSE_CLIENT_ABOVE_BYTES) {
            paused = true;
            client.pause();
        }
    }

    private void onClientMessage(PgMessage message) {
        switch (message.type()) {
            case FrontendMessageType.TERMINATE -> {
                closed = true;
                closeLegs();
                session.closed();
            }
            case FrontendMessageType.QUERY, FrontendMessageType.FUNCTION_CALL -> run(List.of(message));
            case FrontendMessageType.SYNC -> {
                pendingUnit.add(message);
                List<PgMessage> unit = List.copyOf(pendingUnit);
                pendingUnit.clear();
                run(unit);
            }
            case FrontendMessageType.FLUSH -> flushAheadOfSync();
            case FrontendMessageType.COPY_DATA, FrontendMessageType.COPY_DONE, FrontendMessageType.COPY_FAIL -> {
                // Outside COPY the server ignores these too.
            }
            default -> pendingUnit.add(message);
        }
    }

    /**
     * A Flush asks for the answers so far before the Sync: the primary gets what is pending at once, and its answers
     * go straight to the client. The secondary gets the whole batch at the Sync.
     */
    private void flushAheadOfSync() {
        Buffer ahead = Buffer.buffer();
        for (int i = sentAheadOfSync; i < pendingUnit.size(); i++) {
            SecondaryRequests.appendFramed(ahead, pendingUnit.get(i));
        }
        sentAheadOfSync = pendingUnit.size();
        FrontendMessages.appendFlush(ahead);
        primary.backend().socket().write(ahead);
    }

    private void run(List<PgMessage> unit) {
        busy = true;
        int ahead = sentAheadOfSync;
        sentAheadOfSync = 0;
        Future<Void> done;
        try {
            UnitPlan plan = planner.plan(unit);
            currentShape = plan.shape();
            if (LOG.isDebugEnabled()) {
                LOG.debugf("%s request (primary %d in status %c): %s", plan.shape(), primary.backend().processId(),
                        (char) primary.transactionStatus(), plan.fingerprint());
            }
            done = execute(plan, ahead);
        } catch (RuntimeException failure) {
            done = Future.failedFuture(failure);
        }
        done.onComplete(result -> {
            if (closeAfterUnit) {
                busy = false;
                closeLegs();
                return;
            }
            if (result.failed()) {
                LOG.errorf(result.cause(), "Session of \"%s\": dual-write request failed inside Exodus", login.user());
                session.closeWithError(ErrorResponse.fatal(SqlState.INTERNAL_ERROR,
                        "Exodus failed to carry out the request: " + result.cause().getMessage()));
                return;
            }
            // Timed before the flush that usually carries the ReadyForQuery: a client that has it sees the count.
            metrics.readyForQuery();
            flushClient();
            afterTransactionStatusChange();
            busy = false;
            if (closeWhenIdle && isIdle()) {
                session.closeForShutdownNow();
                return;
            }
            if (paused) {
                resumeClient();
            }
            pump();
        });
    }

    private void resumeClient() {
        paused = false;
        client.resume();
    }

    private Future<Void> execute(UnitPlan plan, int ahead) {
        if (ahead > 0 && plan.shape() != UnitShape.READ) {
            // Part of the batch already ran on the primary without a wrapping BEGIN: the best left is one after the other.
            return sequential(plan, ahead);
        }
        if (plan.shape() == UnitShape.CONCURRENT) {
            // A session that writes only inside explicit transactions gets its lost secondary back at a BEGIN.
            return reconnectSecondaryIfDue().compose(v -> concurrent(plan));
        }
        return switch (plan.shape()) {
            case READ -> read(plan, ahead);
            case CONCURRENT -> concurrent(plan);
            case LOCKSTEP -> new LockstepWrite(this, plan, 0, true, dual).run();
            case COMMIT -> commits.clientCommit(plan);
            case SEQUENTIAL -> sequential(plan, 0);
            case UNSUPPORTED -> {
                toClient(ReplySynthesizer.failure(ErrorResponse.error(SqlState.FEATURE_NOT_SUPPORTED, plan.unsupported()),
                        primary.transactionStatus()));
                yield Future.succeededFuture();
            }
        };
    }

    // ---- shapes ------------------------------------------------------------------------------------------------

    private Future<Void> read(UnitPlan plan, int ahead) {
        if (ahead == 0 && dual.migration().canaryPercent() > 0 && !secondaryUsable()
                && primary.transactionStatus() == 'I') {
            // A session that only reads gets its lost target back here (at most every 5 s), for canary reads.
            return reconnectSecondaryIfDue().compose(v -> routedRead(plan, ahead));
        }
        return routedRead(plan, ahead);
    }

    private Future<Void> routedRead(UnitPlan plan, int ahead) {
        if (ahead == 0 && canaryRead(plan)) {
            return readOnSecondary(plan);
        }
        SecondaryRequests.PrimaryRequest request = requests.primary(plan, ahead);
        Leg.Sink sink = request.expectations() == null ? this::toClient
                : new PrimaryRowImageFilter(this::toClient, request.expectations());
        Future<LegReply> reply = primary.send(request.buffer(), 1, sink);
        Buffer closes = requests.closesOnly(plan);
        if (closes != null && secondaryUsable()) {
            secondary.send(closes, 1, Leg.DISCARD);
        }
        return reply.mapEmpty();
    }

    /**
     * Phase canary: whether this read goes to the secondary. Only a read outside a transaction, of statements that
     * only read, whose named statements the secondary has, and never while the database's replay queue has entries:
     * the secondary may lack writes then, this session's own among them (read-your-writes). The pin clears by itself
     * when the queue has drained.
     */
    private boolean canaryRead(UnitPlan plan) {
        double percent = dual.migration().canaryPercent();
        if (percent <= 0 || primary.transactionStatus() != 'I' || !secondaryUsable() || !secondary.isIdle()
                || secondary.transactionStatus() != 'I' || mustQueue() || !canaryEligible(plan)) {
            return false;
        }
        return percent >= 100 || java.util.concurrent.ThreadLocalRandom.current().nextDouble(100) < percent;
    }

    private boolean canaryEligible(UnitPlan plan) {
        for (PgMessage message : plan.messages()) {
            io.exodus.proxy.protocol.MessageReader reader = new io.exodus.proxy.protocol.MessageReader(message.body());
            switch (message.type()) {
                case FrontendMessageType.QUERY -> {
                    if (!onlyReads(dual.classifications().classify(reader.readCString()))) {
                        return false;
                    }
                }
                case FrontendMessageType.PARSE -> {
                    reader.readCString();
                    if (!onlyReads(dual.classifications().classify(reader.readCString()))) {
                        return false;
                    }
                }
                case FrontendMessageType.BIND -> {
                    reader.readCString();
                    StatementBook.Statement statement = book.statement(reader.readCString());
                    if (statement == null || !onlyReads(statement.classification())) {
                        return false;
                    }
                }
                case FrontendMessageType.CLOSE -> {
                    if (message.body().getByte(0) != 'P') {
                        return false;
                    }
                }
                case FrontendMessageType.FUNCTION_CALL -> {
                    return false;
                }
                default -> {
                }
            }
        }
        return true;
    }

    private static boolean onlyReads(io.exodus.proxy.sql.Classification classification) {
        if (classification.kind() != io.exodus.proxy.sql.StatementKind.READ || classification.locking()
                || classification.transactionVerb() != TransactionVerb.NONE) {
            return false;
        }
        for (io.exodus.proxy.sql.Classification part : classification.parts()) {
            if (!onlyReads(part)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A canary read: the secondary answers the client. If its connection is lost before it answered anything, the
     * primary answers instead; after that, the client's request has failed half-way, as with a lost source.
     */
    private Future<Void> readOnSecondary(UnitPlan plan) {
        Buffer out = Buffer.buffer(128);
        Buffer parseAhead = null;
        Buffer parseOnPrimary = null;
        java.util.Set<String> parsedHere = new java.util.HashSet<>();
        for (PgMessage message : plan.messages()) {
            io.exodus.proxy.protocol.MessageReader reader = new io.exodus.proxy.protocol.MessageReader(message.body());
            if (message.type() == FrontendMessageType.PARSE) {
                String name = reader.readCString();
                parsedHere.add(name);
                book.onSecondary().add(name);
                if (!name.isEmpty()) {
                    // A named statement is the primary's too: later writes bind it there.
                    parseOnPrimary = parseOnPrimary == null ? Buffer.buffer() : parseOnPrimary;
                    SecondaryRequests.appendFramed(parseOnPrimary, message);
                }
            } else if (message.type() == FrontendMessageType.BIND) {
                reader.readCString();
                String name = reader.readCString();
                if (!parsedHere.contains(name) && !book.isOnSecondary(name)) {
                    // Parsed ahead in a request of its own, so that the client sees no ParseComplete it did not ask for.
                    parseAhead = parseAhead == null ? Buffer.buffer() : parseAhead;
                    SecondaryRequests.appendFramed(parseAhead, book.statement(name).parse());
                    parsedHere.add(name);
                    book.onSecondary().add(name);
                }
            }
            SecondaryRequests.appendFramed(out, message);
        }
        if (parseOnPrimary != null) {
            primary.send(FrontendMessages.appendSync(parseOnPrimary), 1, Leg.DISCARD);
        }
        if (parseAhead != null) {
            secondary.send(FrontendMessages.appendSync(parseAhead), 1, Leg.DISCARD);
        }
        int[] forwarded = {0};
        Leg.Sink sink = message -> {
            forwarded[0]++;
            toClient(message);
        };
        dual.metrics().canaryRead();
        return secondary.send(out, 1, sink).compose(reply -> {
            if (!reply.lostConnection()) {
                return Future.succeededFuture();
            }
            if (forwarded[0] == 0) {
                return read(plan, 0);
            }
            session.closeWithError(ErrorResponse.fatal(SqlState.CONNECTION_FAILURE,
                    "the connection to the target was lost while it answered a canary read"));
            return Future.succeededFuture();
        });
    }

    /** Session state and transaction boundaries: both legs at once, the client sees the primary's answer. */
    private Future<Void> concurrent(UnitPlan plan) {
        startTransactionIfIdle();
        // Decide before sending: an answer may be read as soon as the request is written.
        Leg leg = ensureSecondaryOpenAtBoundary() ? secondary : null;
        SecondaryRequests.PrimaryRequest request = requests.primary(plan, 0);
        HeldReply held = new HeldReply(0);
        boolean beginLater = primary.transactionStatus() == 'I' && PlainBeginRequest.is(plan, book);
        Future<LegReply> onPrimary;
        Buffer answer;
        if (beginLater) {
            primary.beginLater(request.buffer());
            onPrimary = Future.succeededFuture(BEGUN);
            answer = ReplySynthesizer.success(plan.messages(), "BEGIN", (byte) 'T');
        } else {
            onPrimary = primary.send(request.buffer(), 1, held);
            answer = null;
        }
        // A transaction this request starts or continues is recorded in case the queue needs it later.
        io.exodus.proxy.replay.TransactionRecording recordInto = !replays() ? null
                : recording != null ? recording : newRecording();
        SecondaryRequests.SecondaryRequest toSecondary = leg == null && recordInto == null ? null
                : requests.secondary(plan, List.of(), java.util.Map.of(), List.of(),
                        recordInto == null ? null : recordInto.preparedHere());
        if (leg == null) {
            return onPrimary.map(reply -> {
                toClient(answer != null ? answer : held.asIs());
                recordSessionState(plan, reply);
                recordConcurrent(recordInto, toSecondary, reply);
                return null;
            });
        }
        // Inside a transaction, or starting one, nobody waits for the secondary's answer before the transaction ends;
        // outside, a canary read may want the secondary next, once it has answered.
        boolean holdBack = primary.transactionStatus() != 'I' || beginsTransaction(plan);
        Future<LegReply> onSecondary = holdBack ? leg.sendLater(toSecondary.buffer(), 1, Leg.DISCARD)
                : leg.send(toSecondary.buffer(), 1, Leg.DISCARD);
        long transaction = transactionSerial;
        // The client need not wait for the secondary's BEGIN, SET or SAVEPOINT: its connection keeps them ahead of
        // whatever follows, and a failure there is handled like one of a write applied behind the primary. Inside a
        // transaction they are written with the secondary's next request that somebody waits for (Leg.sendLater).
        return onPrimary.map(p -> {
            toClient(answer != null ? answer : held.asIs());
            recordSessionState(plan, p);
            recordConcurrent(recordInto, toSecondary, p);
            boolean inTransaction = primary.transactionStatus() != 'I';
            if (!inTransaction) {
                leg.flush(); // a BEGIN that failed
            }
            secondaryInTransaction = leg.isOpen() && inTransaction;
            onSecondary.onSuccess(s -> {
                if (!p.failed() && s.failed()) {
                    Divergence.Kind kind = s.lostConnection() ? Divergence.Kind.SECONDARY_LOST
                            : Divergence.Kind.SECONDARY_ERROR;
                    if (inTransaction && transaction == transactionSerial) {
                        secondaryFailedBehind(kind, plan, p, s, s.error() == null || s.lostConnection()
                                ? ErrorResponse.error(SqlState.CONNECTION_FAILURE, "the connection to the target was "
                                        + "lost during the transaction; it is rolled back on both databases")
                                : s.error());
                    } else {
                        divergence(kind, plan, p, s);
                    }
                } else if (p.failed() && !s.failed() && !inTransaction && leg.isOpen()
                        && leg.transactionStatus() != 'I') {
                    leg.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
                }
            });
            return null;
        });
    }

    /** What the primary will answer to a BEGIN it gets with the transaction's first statement. */
    private static final LegReply BEGUN = new LegReply((byte) 'T', null, List.of("BEGIN"), false);

    private boolean beginsTransaction(UnitPlan plan) {
        return plan.simple() && dual.classifications().classify(plan.statementText()).transactionVerb()
                == TransactionVerb.BEGIN;
    }

    private void recordConcurrent(io.exodus.proxy.replay.TransactionRecording into,
            SecondaryRequests.SecondaryRequest request, LegReply primaryReply) {
        if (into != null && !primaryReply.failed() && primary.transactionStatus() != 'I') {
            recording = into;
            into.add(request.replay(), 1, primaryReply.commandTags(), false);
        }
    }

    /** Statements that cannot be wrapped: the primary, then the secondary, with no lock held in between. */
    private Future<Void> sequential(UnitPlan plan, int ahead) {
        return new LockstepWrite(this, plan, ahead, false, dual).run();
    }

    // ---- state shared with the shapes ----------------------------------------------------------------------------

    Leg primary() {
        return primary;
    }

    Leg secondary() {
        return secondary;
    }

    SecondaryRequests requests() {
        return requests;
    }

    TransactionCommit commits() {
        return commits;
    }

    String databaseName() {
        return login.database();
    }

    boolean secondaryInTransaction() {
        return secondaryInTransaction;
    }

    void secondaryJoinedTransaction(boolean wrote) {
        secondaryInTransaction = secondary != null && secondary.isOpen();
        secondaryWrote |= wrote && secondaryInTransaction;
    }

    boolean secondaryWrote() {
        return secondaryWrote;
    }

    /** The secondary takes no further part in this transaction (it is rolled back there). */
    void dropSecondaryFromTransaction() {
        if (secondary != null && secondary.isOpen() && (secondary.transactionStatus() != 'I' || !secondary.isIdle())) {
            secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
        }
        secondaryInTransaction = false;
        secondaryNeedsRollback = false;
        secondaryWrote = false;
    }

    /** BothRequired after a secondary failure: the session keeps to the primary until it ends. */
    void pinToPrimary() {
        if (!pinned) {
            pinned = true;
            LOG.warnf("Session of \"%s\" is pinned to the primary after a secondary failure (policy %s)",
                    login.user(), currentPolicy().configName());
        }
        Leg leg = secondary;
        secondary = null;
        secondaryInTransaction = false;
        if (leg != null) {
            dual.metrics().secondaryDetached(io.exodus.proxy.metrics.SecondaryDetachment.PINNED);
            leg.close();
        }
    }

    boolean secondaryUsable() {
        return secondary != null && secondary.isOpen();
    }

    boolean secondaryIsTarget() {
        return true;
    }

    // ---- the replay queue ----------------------------------------------------------------------------------------

    /** Whether the current transaction's policy queues what the secondary misses. */
    boolean replays() {
        return dual.replay() != null && dual.replay().active()
                && currentPolicy().replaysSecondaryFailures(secondaryIsTarget());
    }

    /** Whether this session's database has a usable queue with room. */
    boolean canQueue() {
        return replays() && dual.replay().canQueue(login.database());
    }

    /** Whether the queue of this session's database has entries (or is about to): no live writes then. */
    boolean mustQueue() {
        return dual.replay() != null && dual.replay().mustQueue(login.database());
    }

    /**
     * Completes once the database's queue state is known (the first write of a session waits for it), always on this
     * session's event loop: the queue's own futures complete on its control pool's, and a callback chained to one of
     * them would run there, next to this session's own thread.
     */
    Future<Void> replayReady() {
        if (dual.replay() == null || !dual.replay().active()) {
            return Future.succeededFuture();
        }
        Future<Void> ready = dual.replay().ready(login.database());
        if (ready.isComplete()) {
            return Future.succeededFuture();
        }
        io.vertx.core.Context here = io.vertx.core.Vertx.currentContext();
        io.vertx.core.Promise<Void> known = io.vertx.core.Promise.promise();
        // A failure is logged by the queue; the session goes on without it (what it cannot queue is a divergence).
        ready.onComplete(result -> {
            if (here == null) {
                known.complete();
            } else {
                here.runOnContext(v -> known.complete());
            }
        });
        return known.future();
    }

    private io.exodus.proxy.replay.TransactionRecording newRecording() {
        return new io.exodus.proxy.replay.TransactionRecording(dual.replay().config().maxTransactionBytes());
    }

    /** The recording of the current transaction, started if the policy replays and none exists yet. */
    io.exodus.proxy.replay.TransactionRecording recording() {
        if (recording == null && replays()) {
            recording = newRecording();
        }
        return recording;
    }

    boolean queueTransaction() {
        return queueTransaction;
    }

    /**
     * The current transaction goes to the replay queue: the secondary takes no further part in it (what it applied
     * is rolled back there), and the session leaves the secondary until the queue has drained, so that none of its
     * later writes overtakes this one on the secondary.
     */
    void queueCurrentTransaction(String why) {
        if (queueTransaction) {
            return;
        }
        queueTransaction = true;
        dual.replay().queueing(login.database());
        if (why.startsWith("earlier") || why.startsWith("no connection")) {
            // One line per transaction while the target is away would drown the log: the detachment said it once.
            LOG.debugf("Session of \"%s\": the transaction goes to the replay queue (%s)", login.user(), why);
        } else {
            LOG.infof("Session of \"%s\": the transaction goes to the replay queue (%s)", login.user(), why);
        }
        dropSecondaryFromTransaction();
        detachSecondaryForQueue();
    }

    /** Between transactions while the queue has entries: the secondary waits, closed, until it has drained. */
    private void detachSecondaryForQueue() {
        Leg leg = secondary;
        secondary = null;
        secondaryInTransaction = false;
        lastReconnectAttempt = 0;
        if (leg != null) {
            dual.metrics().secondaryDetached(io.exodus.proxy.metrics.SecondaryDetachment.QUEUED);
            leg.drained().onComplete(v -> leg.close());
        }
    }

    /** The queued transaction committed on the primary together with its queue entry. */
    void queuedTransactionCommitted() {
        if (queueTransaction) {
            queueTransaction = false;
            dual.replay().queueingEnded(login.database(), true);
        }
    }

    /**
     * What commits a queued transaction on the primary: its queue entry and COMMIT, in one simple query, so that
     * the entry exists exactly when the transaction committed. A transaction too big for the queue commits without
     * one, as a divergence.
     */
    String queuedCommitSql(String fingerprint) {
        if (recording == null || !recording.hasWrites()) {
            return "COMMIT";
        }
        if (recording.overflowed()) {
            dual.divergences().record(Divergence.Kind.NOT_MIRRORED, currentPolicy(), fingerprint, "committed",
                    "the transaction was larger than exodus.replay.max-transaction-bytes and could not be queued");
            markDivergent(recording.tables(), "a transaction the target missed was larger than "
                    + "exodus.replay.max-transaction-bytes and could not be queued");
            return "COMMIT";
        }
        return dual.replay().insertSql(recording, sessionState.replayText()) + ";\nCOMMIT";
    }

    /** Marks the tables divergent in the source's {@code exodus.divergent_tables}, for status and repair. */
    void markDivergent(java.util.Collection<String> tables, String reason) {
        for (String table : tables) {
            LOG.warnf("Table %s of database \"%s\" is marked divergent: %s", table, login.database(), reason);
            dual.replay().markDivergent(login.database(), table, reason).onFailure(failure -> LOG.errorf(
                    "Could not mark table %s divergent: %s", table, failure.getMessage()));
        }
    }

    /** The session-state statements a replay of this session's transactions runs first. */
    String sessionContext() {
        return sessionState.replayText();
    }


    /** The policy of the current transaction, or the migration's current one between transactions. */
    ConsistencyPolicy currentPolicy() {
        return transactionPolicy != null ? transactionPolicy : dual.migration().policy();
    }

    void startTransactionIfIdle() {
        if (primary.transactionStatus() == 'I') {
            transactionPolicy = dual.migration().policy();
        }
    }

    /**
     * Between transactions, a secondary that went away is reconnected (at most every 5 s), unless the session is
     * pinned to the primary. Inside a transaction a new secondary would miss the transaction's start, so nothing is
     * tried. Returns whether the secondary can be used now.
     */
    boolean ensureSecondaryOpenAtBoundary() {
        if (secondaryUsable()) {
            if (primary.transactionStatus() == 'I' && replays() && mustQueue()) {
                detachSecondaryForQueue();
                return false;
            }
            return !queueTransaction && (primary.transactionStatus() == 'I' || secondaryInTransaction);
        }
        return false;
    }

    /** Reconnects the secondary if it is gone and the time has come; completes when it is usable or not. */
    Future<Void> reconnectSecondaryIfDue() {
        if (secondaryUsable() || pinned || primary.transactionStatus() != 'I' || dual.target() == null
                || (replays() && mustQueue())) {
            return Future.succeededFuture();
        }
        long now = System.nanoTime();
        if (lastReconnectAttempt != 0 && now - lastReconnectAttempt < RECONNECT_INTERVAL_NANOS) {
            return Future.succeededFuture();
        }
        lastReconnectAttempt = now;
        return dual.target().open(login).compose(connection -> {
            if (closed) {
                connection.socket().close();
                return Future.succeededFuture();
            }
            Leg leg = new Leg(connection, services.maxMessageSize());
            attachSecondary(leg);
            book.secondaryReset();
            LOG.infof("Session of \"%s\": reconnected to the %s", login.user(), leg.database());
            String replay = sessionState.replayText();
            if (replay.isEmpty()) {
                return Future.<Void>succeededFuture();
            }
            return leg.send(FrontendMessages.query(replay), 1, Leg.DISCARD).<Void>mapEmpty();
        }, failure -> {
            LOG.debugf("Session of \"%s\": the target is still unavailable: %s", login.user(), failure.getMessage());
            return Future.<Void>succeededFuture();
        });
    }

    void divergence(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply) {
        dual.divergences().record(kind, currentPolicy(), plan.fingerprint(), describe(primaryReply),
                secondaryReply == null ? "not sent: the secondary is unavailable" : describe(secondaryReply));
    }

    private static String describe(LegReply reply) {
        if (reply.error() != null) {
            return reply.error().sqlState() + " " + reply.error().message();
        }
        return String.join(", ", reply.commandTags());
    }

    private void recordSessionState(UnitPlan plan, LegReply reply) {
        if (!reply.failed() && plan.simple() && primary.transactionStatus() == 'I') {
            sessionState.record(plan.statementText(), dual.classifications().classify(plan.statementText()));
        }
    }

    private void afterTransactionStatusChange() {
        if (primary.transactionStatus() == 'I') {
            transactionSerial++;
            if (queueTransaction) {
                // Rolled back, or ended without its entry: nothing of it was queued.
                queueTransaction = false;
                dual.replay().queueingEnded(login.database(), false);
            }
            recording = null;
            transactionPolicy = null;
            deferredSecondaryFailure = null;
            if ((secondaryInTransaction || secondaryNeedsRollback) && secondary != null
                    && secondary.transactionStatus() != 'I') {
                // The primary's transaction ended in a way no shape foresaw (a multi-statement text ending it):
                // end the secondary's the same way rather than leave it open.
                secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
            }
            secondaryInTransaction = false;
            secondaryNeedsRollback = false;
            secondaryWrote = false;
        }
    }

    /**
     * A statement the secondary applied behind the primary (inside an explicit transaction the client does not wait
     * for the secondary) failed: the secondary takes no further part in the transaction, and the COMMIT decides
     * what the failure means under the policy.
     */
    void secondaryFailedBehind(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply,
            ErrorResponse forClient) {
        if (deferredSecondaryFailure != null || queueTransaction) {
            return;
        }
        if (recording != null && canQueue()) {
            if (kind != Divergence.Kind.SECONDARY_LOST) {
                divergence(kind, plan, primaryReply, secondaryReply);
            }
            LOG.infof("Session of \"%s\": the target failed a statement of the transaction (%s); the transaction "
                    + "goes to the replay queue", login.user(), describe(secondaryReply));
            queueCurrentTransaction("the target failed a statement");
            return;
        }
        divergence(kind, plan, primaryReply, secondaryReply);
        deferredSecondaryFailure = forClient;
        secondaryInTransaction = false;
        secondaryNeedsRollback = true;
    }

    /** The error a failure of the secondary behind the primary left for this transaction's COMMIT, or null. */
    ErrorResponse deferredSecondaryFailure() {
        return deferredSecondaryFailure;
    }

    /** The commit protocol ended the secondary's transaction (its last COMMIT may still be on its way). */
    void secondaryTransactionEnded() {
        secondaryInTransaction = false;
        secondaryNeedsRollback = false;
        secondaryWrote = false;
    }

    /** Completes when the secondary has answered everything sent to it so far. */
    Future<Void> secondaryDrained() {
        return secondary == null ? Future.succeededFuture() : secondary.drained();
    }

    // ---- client output -------------------------------------------------------------------------------------------

    void toClient(PgMessage message) {
        if (message.type() == 'E' && metrics.countsBackendErrors()) {
            metrics.backendError(message.body());
        }
        SecondaryRequests.appendFramed(outbound, message);
    }

    void flushToClient() {
        flushClient();
    }

    void toClient(Buffer bytes) {
        outbound.appendBuffer(bytes);
    }

    private void flushClient() {
        if (outbound.length() > 0 && !closed) {
            Buffer bytes = outbound;
            outbound = Buffer.buffer(512);
            metrics.forwardedToClient(bytes.length());
            client.write(bytes);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    boolean isIdle() {
        return !busy && primary.transactionStatus() == 'I';
    }

    @Override
    public void cancelBackend() {
        services.source().cancel(primary.backend().processId(), primary.backend().secretKey());
        Leg leg = secondary;
        if (leg != null && !leg.isIdle() && dual.target() != null) {
            dual.target().cancel(leg.backend().processId(), leg.backend().secretKey());
        }
    }

    @Override
    public void closeWhenIdle() {
        closeWhenIdle = true;
        if (isIdle()) {
            session.closeForShutdownNow();
        }
    }

    /**
     * The client went away. A request in progress is finished first when it writes: closing the legs in the middle
     * would cut a commit between the primary and the secondary. A read in progress is cancelled, as in phase direct.
     */
    @Override
    public void onClientGone() {
        if (!busy) {
            closeBackend();
            return;
        }
        if (currentShape == UnitShape.READ) {
            cancelBackend();
            closeBackend();
            return;
        }
        closed = true;
        closeAfterUnit = true;
    }

    @Override
    public void closeBackend() {
        if (!closed) {
            closed = true;
        }
        closeLegs();
    }

    private void closeLegs() {
        if (legsClosed) {
            return;
        }
        legsClosed = true;
        if (queueTransaction) {
            queueTransaction = false;
            dual.replay().queueingEnded(login.database(), false);
        }
        primary.close();
        Leg leg = secondary;
        if (leg != null) {
            // A COMMIT the client already heard about may still be on its way to the secondary: let it finish.
            leg.drained().onComplete(v -> leg.close());
        }
        metrics.backendClosed();
    }
}
