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
 * {@link UnitShape}, and this class hands each shape to the class that carries it out ({@link ReadRouting},
 * {@link ConcurrentWrite}, {@link LockstepWrite}, {@link TransactionCommit}) and holds the session's state they share.
 * What a failure on the secondary means is the {@link ConsistencyPolicy}'s business, read when a transaction starts;
 * the replay queue is {@link QueueHandoff}'s, the secondary's part in a transaction {@link SecondaryTransaction}'s,
 * and whether the session has a secondary at all {@link SecondaryConnection}'s.
 */
final class DualWriteRelay implements Relay {
    private static final Logger LOG = Logger.getLogger(DualWriteRelay.class);
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
    private final ReadRouting reads;
    private final ConcurrentWrite concurrentWrites;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private final SecondaryConnection secondaryConnection;
    private Buffer outbound = Buffer.buffer(512);
    /** Messages of the pending unit already sent to the primary ahead of a Flush. */
    private int sentAheadOfSync;
    /** The primary's answers to those, whose command tags the secondary's check needs too. */
    private List<Future<LegReply>> answersAheadOfSync = new ArrayList<>();
    private boolean busy;
    private boolean paused;
    private boolean closed;
    private boolean closeWhenIdle;
    private boolean legsClosed;
    private boolean closeAfterUnit;
    private UnitShape currentShape;
    /** Counts transaction ends, so that a late answer of the secondary is matched to its own transaction. */
    private long transactionSerial;
    /** The policy the current transaction started under. */
    private ConsistencyPolicy transactionPolicy;

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
        this.queue = new QueueHandoff(this, dual, login);
        this.secondaryTransaction = new SecondaryTransaction(this, login);
        this.secondaryConnection = new SecondaryConnection(this, services, dual, login, book);
        this.commits = new TransactionCommit(this, dual);
        this.reads = new ReadRouting(this, session, dual, book);
        this.concurrentWrites = new ConcurrentWrite(this, dual, book);
        if (target != null) {
            secondaryConnection.attach(new Leg(target, services.maxMessageSize()));
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
        int answers = AheadOfSync.answers(pendingUnit, sentAheadOfSync, pendingUnit.size());
        if (answers == 0) {
            // Nothing asked since the last Flush: nothing is owed.
            return;
        }
        Buffer ahead = Buffer.buffer();
        for (int i = sentAheadOfSync; i < pendingUnit.size(); i++) {
            SecondaryRequests.appendFramed(ahead, pendingUnit.get(i));
        }
        sentAheadOfSync = pendingUnit.size();
        FrontendMessages.appendFlush(ahead);
        answersAheadOfSync.add(primary.sendAhead(ahead, answers, this::toClient));
    }

    private void run(List<PgMessage> unit) {
        busy = true;
        int ahead = sentAheadOfSync;
        sentAheadOfSync = 0;
        Future<List<String>> tagsAhead = tagsOf(answersAheadOfSync);
        answersAheadOfSync = new ArrayList<>();
        Future<Void> done;
        try {
            UnitPlan plan = planner.plan(unit);
            currentShape = plan.shape();
            if (LOG.isDebugEnabled()) {
                LOG.debugf("%s request (primary %d in status %c): %s", plan.shape(), primary.backend().processId(),
                        (char) primary.transactionStatus(), plan.fingerprint());
            }
            done = execute(plan, ahead, tagsAhead);
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

    /** The command tags of the answers ahead of the Sync, in order; they all complete before the unit's own. */
    private static Future<List<String>> tagsOf(List<Future<LegReply>> answers) {
        if (answers.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return Future.all(answers).map(all -> {
            List<String> tags = new ArrayList<>();
            answers.forEach(answer -> tags.addAll(answer.result().commandTags()));
            return tags;
        });
    }

    private Future<Void> execute(UnitPlan plan, int ahead, Future<List<String>> tagsAhead) {
        if (ahead > 0 && plan.shape() != UnitShape.READ) {
            // Part of the batch already ran on the primary without a wrapping BEGIN: the best left is one after the other.
            return new LockstepWrite(this, plan, ahead, tagsAhead, false, dual).run();
        }
        return switch (plan.shape()) {
            case READ -> reads.read(plan, ahead);
            // A session that writes only inside explicit transactions gets its lost secondary back at a BEGIN.
            case CONCURRENT -> secondaryConnection.reconnectIfDue().compose(v -> concurrentWrites.run(plan));
            case LOCKSTEP -> new LockstepWrite(this, plan, 0, null, true, dual).run();
            case COMMIT -> commits.clientCommit(plan);
            case SEQUENTIAL -> new LockstepWrite(this, plan, 0, null, false, dual).run();
            case UNSUPPORTED -> {
                toClient(ReplySynthesizer.failure(ErrorResponse.error(SqlState.FEATURE_NOT_SUPPORTED, plan.unsupported()),
                        primary.transactionStatus()));
                yield Future.succeededFuture();
            }
        };
    }

    // ---- shapes ------------------------------------------------------------------------------------------------

    /** Statements that cannot be wrapped: the primary, then the secondary, with no lock held in between. */
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

    QueueHandoff queue() {
        return queue;
    }

    SecondaryTransaction secondaryTransaction() {
        return secondaryTransaction;
    }

    SecondaryConnection secondaryConnection() {
        return secondaryConnection;
    }

    String databaseName() {
        return login.database();
    }

    boolean isClosed() {
        return closed;
    }

    void secondaryAttached(Leg leg) {
        secondary = leg;
    }

    /** The session stops using its secondary (lost, pinned, or set aside for the queue); returns the leg it had. */
    Leg detachSecondary() {
        Leg leg = secondary;
        secondary = null;
        secondaryTransaction.detached();
        return leg;
    }

    boolean secondaryUsable() {
        return secondary != null && secondary.isOpen();
    }

    boolean secondaryIsTarget() {
        return true;
    }

    /** The session-state statements a replay of this session's transactions runs first. */
    String sessionContext() {
        return sessionState.replayText();
    }

    long transactionSerial() {
        return transactionSerial;
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

    void divergence(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply) {
        dual.divergences().record(kind, currentPolicy(), plan.fingerprint(), describe(primaryReply),
                secondaryReply == null ? "not sent: the secondary is unavailable" : describe(secondaryReply));
    }

    static String describe(LegReply reply) {
        if (reply.error() != null) {
            return reply.error().sqlState() + " " + reply.error().message();
        }
        return String.join(", ", reply.commandTags());
    }

    void recordSessionState(UnitPlan plan, LegReply reply) {
        if (!reply.failed() && plan.simple() && primary.transactionStatus() == 'I') {
            sessionState.record(plan.statementText(), dual.classifications().classify(plan.statementText()));
        }
    }

    private void afterTransactionStatusChange() {
        if (primary.transactionStatus() == 'I') {
            transactionSerial++;
            queue.transactionEnded();
            transactionPolicy = null;
            secondaryTransaction.primaryEnded();
        }
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
        queue.sessionClosed();
        primary.close();
        Leg leg = secondary;
        if (leg != null) {
            // A COMMIT the client already heard about may still be on its way to the secondary: let it finish.
            leg.drained().onComplete(v -> leg.close());
        }
        metrics.backendClosed();
    }
}
