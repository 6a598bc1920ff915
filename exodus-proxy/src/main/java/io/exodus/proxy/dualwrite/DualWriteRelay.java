package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.capture.ClientAnswers;
import io.exodus.proxy.capture.LegTimings;
import io.exodus.proxy.capture.SessionCapture;
import io.exodus.proxy.functions.DatabaseFunctions;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.metrics.RelayMetrics;
import io.exodus.proxy.metrics.RequestClassifier;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.session.Relay;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.session.StaleStateRefusal;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.MessageAssembler;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The established session in phase dual-write: the client talks to one connection, and every request runs on the
 * primary leg and, when it writes, on the secondary leg, in the order of ADR 0004. Requests are taken one at a time
 * (a simple Query, or extended-protocol messages up to Sync); the {@link UnitPlanner} decides their
 * {@link UnitShape}, and this class hands each shape to the class that carries it out ({@link ReadRouting},
 * {@link ConcurrentWrite}, {@link LockstepWrite}, {@link TransactionCommit}) and holds the session's state they share:
 * the connections by role ({@link Legs}) and the transaction with the policy it began under ({@link
 * CurrentTransaction}; what a failure on the secondary means is the {@link ConsistencyPolicy}'s business). The replay
 * queue is {@link QueueHandoff}'s, the secondary's part in a transaction {@link SecondaryTransaction}'s, and whether
 * the session has a secondary at all {@link SecondaryConnection}'s.
 */
public final class DualWriteRelay implements Relay {
    private static final Logger LOG = Logger.getLogger(DualWriteRelay.class);
    private static final int PAUSE_CLIENT_ABOVE_BYTES = 1 << 20;

    private final RelayHost session;
    private final NetSocket client;
    private final SessionServices services;
    private final DualWriteServices dual;
    private final BackendLogin login;
    private final Leg primary;
    /** The primary and the secondary by role. */
    private final Legs legs;
    private final MessageAssembler clientMessages;
    /** The extended-protocol request being received, up to its Sync; null between requests. */
    private UnitPlanner.Batch batch;
    /** What Flushes of that request sent to the primary before its Sync. */
    private AheadOfSync ahead = new AheadOfSync();
    private final StatementBook book = new StatementBook();
    private final UnitPlanner planner;
    private final SecondaryRequests requests;
    private final SessionPrepares prepares = new SessionPrepares();
    private final TransactionCommit commits;
    private final RelayMetrics metrics;
    private final boolean classifiesStatements;
    /** Capture: told of every client message and of the answers written; the legs' meters tell it their times. */
    private final SessionCapture capture;
    private final DualWriteMetrics legMetrics;
    private final ReadRouting reads;
    private final ConcurrentWrite concurrentWrites;
    private final ChainedEnd chainedEnds;
    private final SchemaChanges schemaChanges;
    private final SessionTemporaryTables temporaryTables = new SessionTemporaryTables();
    private final LargeObjectImages largeObjects;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private final SecondaryConnection secondaryConnection;
    private final CustomSettings customSettings;
    /** Custom settings to carry to the secondary; null unless the session ran direct before this relay. */
    private CarriedSettings carriedSettings;
    private final ClientReply reply;
    private boolean busy;
    private boolean paused;
    private boolean closed;
    private boolean closeWhenIdle;
    private boolean legsClosed;
    private boolean closeAfterUnit;
    /** Why the open transaction ends at the first moment between requests ({@link #endOpenTransaction}), or null. */
    private ErrorResponse endTransaction;
    private UnitShape currentShape;
    /** The transaction the session is in: its policy and serial number. */
    private final CurrentTransaction transaction;
    /** The COPY … FROM STDIN that takes the client's messages while it runs, or null. */
    private CopyIn copying;
    /** What {@link #holdWhenQuiet} waits to run; null when nothing waits. */
    private Runnable atQuiet;
    /** Requests are not taken: the session is held between transactions for its session ({@link #holdWhenQuiet}). */
    private boolean holding;
    /**
     * Requests are not taken: the session is being adopted from phase direct. Apart from {@link #holding}, which the
     * session releases with {@link #resume()} (the end of a pause may come while the adoption still reads the state),
     * only the adoption's end releases this.
     */
    private boolean adopting;
    /** {@link #awaitingSecondaryForQuiet} waits for the secondary to answer everything. */
    private boolean awaitingSecondary;
    /** Which database is the primary: the source until the cutover, the target after it. */
    private final Side primarySide;
    /** How statements of this session's database are told apart, with its functions as last read. */
    private final ClassificationCache classifications;
    /** What the session's parts work on, given to them instead of this relay. */
    private final SessionContext context;
    /** The context and the parts that work together on each transaction, for the steps of a request. */
    private final SessionParts parts;

    public DualWriteRelay(RelayHost session, NetSocket client, SessionServices services, DualWriteServices dual,
            BackendLogin login, BackendConnection primaryConnection, BackendConnection secondaryConnection,
            Side primarySide) {
        this.primarySide = primarySide;
        this.session = session;
        this.client = client;
        this.services = services;
        this.dual = dual;
        this.login = login;
        this.metrics = services.metrics().openRelay();
        this.classifiesStatements = metrics.classifiesStatements();
        this.clientMessages = new MessageAssembler(services.maxMessageSize());
        this.capture = services.capture().openSession(session.number(), session.startupParameters());
        this.legMetrics = LegTimings.around(dual.metrics(), capture);
        this.primary = new Leg(primaryConnection, services.maxMessageSize());
        this.legs = new Legs(primary, primarySide, login.database());
        this.transaction = new CurrentTransaction(primary, dual.migration(), dual.divergences());
        primary.measuredBy(legMetrics, true, transaction::policy);
        this.reply = new ClientReply(client, primary, metrics, new ClientAnswers(capture), () -> closed);
        DatabaseFunctions functions = dual.functions().of(login.database());
        this.classifications = functions.classifications();
        this.planner = new UnitPlanner(classifications, book, dual.rowImages());
        this.requests = new SecondaryRequests(book, dual.rowImageMaxBytes());
        this.largeObjects = new LargeObjectImages(dual.largeObjectMaxBytes());
        this.customSettings = new CustomSettings(session.customSettingNames(), login.startupParameters());
        this.context = new SessionContext(session, services, dual, login, legs, book, transaction, classifications,
                legMetrics, reply, prepares, planner, requests, temporaryTables, largeObjects, customSettings);
        this.queue = new QueueHandoff(context, this::parts, login, functions);
        this.secondaryTransaction = new SecondaryTransaction(context, queue);
        this.secondaryConnection = new SecondaryConnection(context, secondaryTransaction, queue, customSettings,
                services.connector(primarySide.other()), () -> closed);
        this.commits = new TransactionCommit(context, queue, secondaryTransaction, this.secondaryConnection);
        this.parts = new SessionParts(context, queue, secondaryTransaction, this.secondaryConnection, commits);
        this.reads = new ReadRouting(parts, dual.migration().tenantKey().of(login.user(),
                login.database(), login.startupParameters()));
        reads.followTenantOn(primary);
        this.concurrentWrites = new ConcurrentWrite(parts);
        this.chainedEnds = new ChainedEnd(parts, concurrentWrites, this::transactionEnded, this::transactionChained);
        this.schemaChanges = new SchemaChanges(dual.tableShapes(), functions, primary.database(), login.database());
        if (secondaryConnection != null) {
            this.secondaryConnection.attach(new Leg(secondaryConnection, services.maxMessageSize()));
        }
    }

    /**
     * Starts on a session that ran direct until now: the client's requests wait until what the session set up on the
     * primary is set up for dual-write (see {@link SessionAdoption}) and the secondary's connection is open.
     */
    public void startAdopting() {
        adopting = true;
        carriedSettings = new CarriedSettings();
        customSettings.carryNamesSeenTo(carriedSettings);
        start();
        SessionAdoption.SessionSetup[] read = new SessionAdoption.SessionSetup[1];
        SessionAdoption.read(primary, customSettings.names()).compose(setup -> {
            read[0] = setup;
            if (!setup.obstacles().isEmpty()) {
                return Future.succeededFuture("it holds " + String.join(", ", setup.obstacles())
                        + ", which the " + primarySide.other().configName() + " does not have");
            }
            List<String> state = SessionAdoption.stateStatements(setup, classifications);
            if (state == null) {
                return Future.succeededFuture(SessionAdoption.MULTI_STATEMENT_PREPARE);
            }
            setup.sqlPrepared().forEach(prepared -> prepares.adopt(prepared[0], prepared[1]));
            return SessionAdoption.enterStatements(setup, book, dual, classifications, primary);
        }).compose(refusal -> refusal != null ? Future.succeededFuture(refusal)
                : secondaryConnection.reconnectWith(read[0]).map((String) null)).onComplete(adopted -> {
                    if (closed) {
                        return;
                    }
                    String refusal = adopted.failed() ? adopted.cause().getMessage() : adopted.result();
                    if (refusal != null) {
                        LOG.warnf("%s: ends instead of following the migration into dual-write: %s", session.label(),
                                refusal);
                        session.closeWithError(ErrorResponse.fatal(SqlState.ADMIN_SHUTDOWN, "Exodus moved the "
                                + "migration to dual-write and this session cannot follow: " + refusal
                                + ". Reconnect to continue; a new session writes to both databases."));
                        return;
                    }
                    LOG.infof("%s: follows the migration: writes to both databases (primary %s, %s %s)", session.label(),
                            primarySide.configName(), primarySide.other().configName(),
                            legs.secondaryUsable() ? "connected" : "not reachable now");
                    adopting = false;
                    pump();
                });
    }

    public void start() {
        primary.onUnsolicited(reply::add);
        primary.afterChunk(reply::flush);
        primary.onLost(why -> {
            LOG.infof("%s: %s", session.label(), why);
            PgMessage fatal = primary.lastFatal();
            if (fatal == null) {
                session.closeWithError(ErrorResponse.fatal(SqlState.CONNECTION_FAILURE, why));
                return;
            }
            // The server ended the session itself (pg_terminate_backend, an administrator's shutdown): the client
            // hears its own words, once, as it would directly.
            if (!reply.fatalForwarded()) {
                reply.add(fatal);
            }
            reply.flush();
            closeBackend();
            session.closed();
        });
        primary.start();
        client.handler(this::fromClientChunk);
        client.drainHandler(v -> {
            reply.clientDrained();
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
        while ((!busy || copying != null) && !closed) {
            if (adopting || !busy && runIfQuiet() || holding) {
                break;
            }
            if (!busy && awaitingSecondaryForQuiet()) {
                break;
            }
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
                sendWhatWaitsForNoSync();
                break;
            }
            metrics.clientMessage(message.type(), message.body().length() + 4);
            if (classifiesStatements && RequestClassifier.bytesWanted(message.type()) > 0) {
                // The same leading-keyword reading as phase direct's, so that both phases tag requests alike.
                metrics.clientMessageStart(message.type(), message.body().getByteBuf(), 0, message.body().length());
            }
            metrics.forwardedToBackend(message.body().length() + 5);
            if (capture.enabled()) {
                capture.clientHeader(message.type(), message.body().length() + 4);
                capture.clientMessage(message.type(), message.body().getByteBuf(), 0, message.body().length());
            }
            try {
                onClientMessage(message);
            } catch (RuntimeException failure) {
                LOG.errorf(failure, "%s: Exodus failed on a client message", session.label());
                session.closeWithError(ErrorResponse.fatal(SqlState.INTERNAL_ERROR,
                        "Exodus failed to carry out the request: " + failure.getMessage()));
                return;
            }
        }
        if (copying != null) {
            copying.clientChunkTaken();
        }
        if (busy && !paused && clientMessages.buffered() > PAUSE_CLIENT_ABOVE_BYTES) {
            paused = true;
            client.pause();
        }
    }

    private void onClientMessage(PgMessage message) {
        if (copying != null && message.type() != FrontendMessageType.TERMINATE) {
            copying.fromClient(message);
            return;
        }
        if (copying != null) {
            copying.clientGone();
        }
        switch (message.type()) {
            case FrontendMessageType.TERMINATE -> {
                closed = true;
                closeLegs();
                session.closed();
            }
            case FrontendMessageType.QUERY, FrontendMessageType.FUNCTION_CALL -> run(planner.plan(List.of(message)),
                    new AheadOfSync());
            case FrontendMessageType.SYNC -> {
                batch().add(message);
                UnitPlan plan = batch.planAtSync(!ahead.isEmpty());
                AheadOfSync sent = ahead;
                batch = null;
                ahead = new AheadOfSync();
                run(plan, sent);
            }
            case FrontendMessageType.FLUSH -> {
                batch().add(message);
                flushAheadOfSync();
            }
            case FrontendMessageType.COPY_DATA, FrontendMessageType.COPY_DONE, FrontendMessageType.COPY_FAIL -> {
                // Outside COPY the server ignores these too.
            }
            default -> batch().add(message);
        }
    }

    private UnitPlanner.Batch batch() {
        if (batch == null) {
            batch = planner.batch();
        }
        return batch;
    }

    /**
     * A Flush asks for the answers so far before the Sync: the primary gets what is pending at once, as it will run
     * it (Parses rewritten for row images, the client's Describes answered for its own statement, INSERTs' rows
     * captured), and its answers go straight to the client. The secondary gets the whole batch at the Sync.
     */
    private void flushAheadOfSync() {
        flushAheadOfSync(true);
    }

    /** @param carryFirst whether settings due to the secondary are carried first (once: a failure leaves them due) */
    private void flushAheadOfSync(boolean carryFirst) {
        UnitPlan sofar = batch.plan();
        if (carryFirst && ahead.isEmpty() && carriedSettings != null && legs.secondaryUsable()) {
            queue.settingNamesIn(sofar);
            if (carriedSettings.due()) {
                // The batch's first part names a setting the secondary lacks: carried before the primary runs any of
                // it, since the primary cannot take a query once part of the batch is in (runUnit carries at the Sync).
                busy = true;
                carriedSettings.carry(primary, legs.secondary()).onComplete(carried -> {
                    busy = false;
                    if (closed || batch == null) {
                        return;
                    }
                    flushAheadOfSync(false);
                    if (paused) {
                        resumeClient();
                    }
                    pump();
                });
                return;
            }
        }
        int from = ahead.sent();
        SecondaryRequests.PrimaryRequest request = requests.primary(sofar, from, primary.unnamedStatementLive());
        int answers = AheadOfSync.answers(request.buffer());
        if (answers == 0) {
            // Nothing asked since the last Flush: nothing is owed.
            return;
        }
        Buffer bytes = request.buffer();
        if (sofar.messages().get(sofar.messages().size() - 1).type() != FrontendMessageType.FLUSH) {
            FrontendMessages.appendFlush(bytes);
        }
        Leg.Sink sink = request.answersTo(reply.primaryAnswers());
        ahead.add(batch.size(), primary.sendAhead(bytes, answers, sink),
                sink instanceof PrimaryRowImageFilter filter ? filter : null);
    }

    /**
     * A client in pipeline mode may send Executes with neither Sync nor Flush and wait: PostgreSQL runs each message as
     * it arrives and sends an error at once. Once the client has nothing more to say, what it sent goes to the primary
     * as a Flush would send it, so that an error reaches it as it would directly; the secondary still gets the whole
     * batch at the Sync.
     */
    private void sendWhatWaitsForNoSync() {
        if (busy || batch == null || batch.size() == ahead.sent()) {
            return;
        }
        List<PgMessage> messages = batch.messages();
        for (int i = ahead.sent(); i < messages.size(); i++) {
            if (messages.get(i).type() == FrontendMessageType.EXECUTE) {
                flushAheadOfSync();
                return;
            }
        }
    }

    private void run(UnitPlan plan, AheadOfSync sent) {
        if (plan.shape() != UnitShape.READ && services.relays().refusesWrites(session)) {
            runOnceConfirmed(plan, sent);
            return;
        }
        runUnit(plan, sent);
    }

    /**
     * The lease expired, perhaps only because the heartbeat was late: the request waits, busy, for a confirmation asked
     * now, and is refused only when none comes (docs/adr/0032, "Confirmation on demand").
     */
    private void runOnceConfirmed(UnitPlan plan, AheadOfSync sent) {
        busy = true;
        services.relays().confirmState(session).onComplete(confirmed -> {
            busy = false;
            if (closed) {
                if (closeAfterUnit) {
                    closeLegs();
                }
                return;
            }
            if (confirmed.failed()) {
                // Closing rolls back what the transaction wrote by a phase that may be old (docs/adr/0032).
                session.closeWithError(StaleStateRefusal.error(session));
                return;
            }
            runUnit(plan, sent);
        });
    }

    private void runUnit(UnitPlan plan, AheadOfSync sent) {
        busy = true;
        boolean changesTables = schemaChanges.beforeRequest(plan);
        temporaryTables.beforeRequest(plan);
        queue.beforeRequest(plan);
        commits.beforeRequest(plan);
        Future<Void> done;
        try {
            currentShape = plan.shape();
            if (LOG.isDebugEnabled()) {
                LOG.debugf("%s: %s request (primary %s): %s", session.label(), plan.shape(),
                        primary.transactionStatus(), plan.fingerprint());
            }
            done = carriedSettings != null && carriedSettings.due() && sent.isEmpty() && legs.secondaryUsable()
                    ? carriedSettings.carry(primary, legs.secondary()).compose(v -> execute(plan, sent))
                    : execute(plan, sent);
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
                LOG.errorf(result.cause(), "%s: dual-write request failed inside Exodus", session.label());
                session.closeWithError(ErrorResponse.fatal(SqlState.INTERNAL_ERROR,
                        "Exodus failed to carry out the request: " + result.cause().getMessage()));
                return;
            }
            schemaChanges.afterRequest(changesTables, primary.transactionStatus().inBlock());
            temporaryTables.afterRequest(plan);
            // Timed before the flush that usually carries the ReadyForQuery: a client that has it sees the count.
            metrics.readyForQuery();
            reply.flush();
            afterTransactionStatusChange();
            busy = false;
            if (endTransactionIfBetweenRequests()) {
                return;
            }
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

    /** One step of a request that Exodus carries out in several ({@link TableFromQuery}), as a request of its own. */
    private Future<Void> runStep(UnitPlan plan) {
        return execute(plan, new AheadOfSync());
    }

    private Future<Void> execute(UnitPlan plan, AheadOfSync sent) {
        if (!sent.isEmpty()) {
            return afterPartsAhead(plan, sent);
        }
        return switch (plan.shape()) {
            case READ -> reads.read(plan, 0);
            // A session that writes only inside explicit transactions gets its lost secondary back at a BEGIN.
            case CONCURRENT -> secondaryConnection.reconnectIfDue().compose(v -> concurrentWrites.run(plan));
            case LOCKSTEP -> new LockstepWrite(parts, plan, null, true).run();
            case COMMIT -> commits.clientCommit(plan, false);
            case CHAINED_END -> chainedEnds.run(plan);
            case TABLE_FROM_QUERY -> new TableFromQuery(context, planner, this::runStep).run(plan);
            case SEQUENTIAL -> new LockstepWrite(parts, plan, null, false).run();
            case COPY_IN -> new CopyInWrite(parts, plan, clientFeed).run();
            case UNSUPPORTED -> {
                reply.add(ReplySynthesizer.failure(ErrorResponse.error(SqlState.FEATURE_NOT_SUPPORTED, plan.unsupported()),
                        primary.transactionStatus()));
                yield Future.succeededFuture();
            }
        };
    }

    /**
     * The rest of a batch that Flushes sent partly ahead. A read goes on at once. A write waits for the parts' answers:
     * if one failed, the server skips to the Sync and nothing of the batch ran, so the secondary gets nothing either;
     * otherwise the write runs as it would have in one piece (what ran ahead is in the primary's still open implicit
     * transaction, which Exodus' BEGIN turns into the transaction it wraps the write in).
     */
    private Future<Void> afterPartsAhead(UnitPlan plan, AheadOfSync sent) {
        if (plan.shape() == UnitShape.READ) {
            return reads.read(plan, sent.sent());
        }
        return sent.outcome().compose(outcome -> {
            if (outcome.failed()) {
                Buffer rest = Buffer.buffer();
                for (int i = sent.sent(); i < plan.messages().size(); i++) {
                    SecondaryRequests.appendFramed(rest, plan.messages().get(i));
                }
                return primary.send(rest, 1, reply.primaryAnswers()).mapEmpty();
            }
            if (plan.shape() == UnitShape.UNSUPPORTED) {
                return execute(plan, new AheadOfSync());
            }
            return new LockstepWrite(parts, plan, new LockstepWrite.Ahead(sent.sent(), outcome),
                    plan.shape() == UnitShape.LOCKSTEP).run();
        });
    }

    // ---- shapes ------------------------------------------------------------------------------------------------

    // ---- state shared with the shapes ----------------------------------------------------------------------------

    /** The parts that work together on each transaction, read by the one made before the others (the queue). */
    private SessionParts parts() {
        return parts;
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

    private void afterTransactionStatusChange() {
        if (primary.transactionStatus() == TransactionStatus.IDLE) {
            transactionEnded();
        }
    }

    /** The primary's transaction ended: the next one starts with none of its state. */
    void transactionEnded() {
        transaction.ended();
        forgetTransactionState();
        secondaryTransaction.primaryEnded();
    }

    /**
     * The primary's transaction ended with AND CHAIN, and the next one began at once, without passing through idle:
     * it runs under the policy in force now, as one begun from idle would, and the secondary takes part if it chained
     * too.
     */
    void transactionChained(boolean secondaryChained) {
        transaction.chained();
        forgetTransactionState();
        secondaryTransaction.chained(secondaryChained && legs.secondaryUsable());
        queue.chainedTransactionBegan();
    }

    /** What the steps kept of the transaction that ended (ended or chained alike). */
    private void forgetTransactionState() {
        schemaChanges.transactionEnded();
        queue.transactionEnded();
        if (carriedSettings != null) {
            carriedSettings.transactionEnded();
        }
    }

    /**
     * The client's own data for a {@code COPY … FROM STDIN}: from the start on, its messages go to the copy until it
     * ends; while the databases are slower than the client, the client's socket is not read.
     */
    private final CopyFeed clientFeed = new CopyFeed() {
        @Override
        public void start(CopyIn copy, Buffer copyInResponse) {
            reply.add(copyInResponse);
            reply.flush();
            copying = copy;
            if (!closed) {
                pump();
            }
        }

        @Override
        public void hold() {
            if (!paused && !closed) {
                paused = true;
                client.pause();
            }
        }

        @Override
        public void release() {
            if (paused && copying != null) {
                resumeClient();
            }
        }

        @Override
        public void ended(CopyIn copy) {
            if (copying == copy) {
                copying = null;
            }
        }
    };

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    /** Between requests, outside a transaction, with nothing owed by either leg or to the client. */
    private boolean isQuiet() {
        return !busy && copying == null && batch == null && primary.transactionStatus() == TransactionStatus.IDLE && primary.isIdle()
                && (legs.secondary() == null || legs.secondary().isIdle()) && !reply.holding();
    }

    /**
     * A hold is wanted, the primary is between transactions, and only the secondary is still answering (its COMMIT
     * after the primary's, a write sent behind): the client's next request waits until the secondary has answered,
     * so that the moment becomes quiet. Otherwise a client that sends its next transaction at once (a pool, pgbench)
     * would start it before the secondary is done, every time, and a pause would wait for it for seconds.
     */
    private boolean awaitingSecondaryForQuiet() {
        if (atQuiet == null || holding || adopting || copying != null || batch != null || reply.holding()
                || primary.transactionStatus().inBlock() || !primary.isIdle() || legs.secondary() == null
                || legs.secondary().isIdle()) {
            return false;
        }
        if (!awaitingSecondary) {
            awaitingSecondary = true;
            legs.secondary().drained().onComplete(drained -> {
                awaitingSecondary = false;
                pump();
            });
        }
        return true;
    }

    /** Runs what waits for a quiet moment, if this is one; returns whether the relay now holds the session. */
    private boolean runIfQuiet() {
        if (atQuiet != null && !holding && !adopting && isQuiet()) {
            Runnable quiet = atQuiet;
            atQuiet = null;
            holding = true;
            quiet.run();
        }
        return holding;
    }

    @Override
    public void holdWhenQuiet(Runnable quiet) {
        atQuiet = quiet;
        runIfQuiet();
    }

    @Override
    public void resume() {
        atQuiet = null;
        if (holding) {
            holding = false;
            pump();
        }
    }

    /**
     * Statements that dual-write parsed on the primary with {@code RETURNING *} are parsed again as the client wrote
     * them, since the next relay passes their answers on untouched; then the primary's connection is handed over and
     * the secondary's closed.
     */
    @Override
    public Future<HandOff> detach() {
        if (!holding) {
            throw new IllegalStateException("a relay is detached only while it holds the session at a quiet moment");
        }
        Buffer restore = book.restoreAsParsed();
        Future<LegReply> restored = restore.length() == 0 ? Future.succeededFuture()
                : primary.send(FrontendMessages.appendSync(restore), 1, Leg.DISCARD);
        return restored.compose(reply -> {
            if (reply != null && reply.failed()) {
                return Future.failedFuture("the primary refused a prepared statement parsed again as the client "
                        + "wrote it: " + (reply.error() == null ? "connection lost" : reply.error().message()));
            }
            client.handler(null);
            client.drainHandler(null);
            legsClosed = true;
            closed = true;
            capture.handedOff();
            queue.sessionClosed();
            schemaChanges.sessionClosed();
            Leg leg = secondaryConnection.detach();
            if (leg != null) {
                leg.close();
            }
            metrics.backendClosed();
            Buffer fromClient = clientMessages.drain();
            if (paused) {
                paused = false;
                client.resume();
            }
            return Future.succeededFuture(new HandOff(primary.release(), fromClient));
        });
    }

    boolean isIdle() {
        return !busy && primary.transactionStatus() == TransactionStatus.IDLE;
    }

    @Override
    public void cancelBackend() {
        services.connector(primarySide).cancel(primary.backend().processId(), primary.backend().secretKey());
        secondaryConnection.cancelRunning();
    }

    @Override
    public void endOpenTransaction(ErrorResponse why) {
        endTransaction = why;
        endTransactionIfBetweenRequests();
    }

    /**
     * Closes the session if its transaction is to be ended and no request is in flight (nothing is half-way through a
     * commit then: closing the legs rolls back a transaction open on both). A transaction that ended by itself (its
     * COMMIT was the request in flight) leaves the session open. Returns whether it closed the session.
     */
    private boolean endTransactionIfBetweenRequests() {
        if (endTransaction == null || busy || copying != null || batch != null) {
            return false;
        }
        ErrorResponse why = endTransaction;
        endTransaction = null;
        if (primary.transactionStatus() == TransactionStatus.IDLE) {
            return false;
        }
        LOG.infof("%s: its transaction is ended for a move of the primary: %s", session.label(), why.message());
        session.closeWithError(why);
        return true;
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
        if (copying != null) {
            copying.clientGone();
        }
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
        capture.closed();
        queue.sessionClosed();
        schemaChanges.sessionClosed();
        primary.close();
        Leg leg = legs.secondary();
        if (leg != null) {
            // A COMMIT the client already heard about may still be on its way to the secondary: let it finish.
            leg.drained().onComplete(v -> leg.close());
        }
        metrics.backendClosed();
    }
}
