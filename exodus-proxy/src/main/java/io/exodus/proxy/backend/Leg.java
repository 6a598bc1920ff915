package io.exodus.proxy.backend;

import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.metrics.RequestClassifier;
import io.exodus.proxy.metrics.StatementClass;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.MessageAssembler;
import io.exodus.proxy.wire.ParameterStatus;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One backend session of a dual-write client session: the source or the target, in the role of primary or
 * secondary. Requests are written as they come; the answers are matched to them in order (a request ends with its
 * last ReadyForQuery), handed message by message to the request's {@link Sink}, and summed up in a
 * {@link LegReply}. Runs on the client session's event loop.
 */
public final class Leg {
    /** Held-back requests are written once they reach this size, so that a long transaction holds little memory. */
    public static final int HELD_BYTES_LIMIT = 64 * 1024;

    /** Receives the messages that answer one request, in order, ReadyForQuery included. */
    public interface Sink {
        void accept(PgMessage message);

        /**
         * Whether messages of {@link #runsOf}'s type may come in runs ({@link #acceptRun}) instead of one by one: a
         * sink that only forwards them, so that a large result passes through without a message object per row.
         */
        default boolean takesRuns() {
            return false;
        }

        /** The type of the messages that come in runs to a sink that {@link #takesRuns}: a query's DataRows. */
        default byte runsOf() {
            return BackendMessageType.DATA_ROW;
        }

        /** Consecutive whole messages of {@link #runsOf}'s type, framed, for a sink that {@link #takesRuns}. */
        default void acceptRun(Buffer framedMessages) {
            throw new UnsupportedOperationException("this sink takes its messages one by one");
        }
    }

    public static final Sink DISCARD = message -> {
    };

    private final String database;
    private final BackendConnection backend;
    private final MessageAssembler assembler;
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** Told each setting the backend reports ({@link #watchSettings}); null when nobody asked. */
    private Consumer<ParameterStatus> settingsWatch;
    private Handler<PgMessage> unsolicited = message -> {
    };
    private Handler<String> lostHandler = why -> {
    };
    private Runnable afterChunk = () -> {
    };
    private TransactionStatus transactionStatus;
    private boolean open = true;
    private Promise<Void> drain;
    /** Requests {@link #sendLater} has not written yet, in order. */
    private Buffer held;
    /** {@link #beginLater} BEGINs not answered yet. */
    private int heldBegins;
    private DualWriteMetrics metrics = DualWriteMetrics.DISABLED;
    /** Tells the statement class of each request written, for its timer; null with metrics off. */
    private RequestClassifier classifier;
    private Supplier<ConsistencyPolicy> policy;
    private boolean primaryRole;
    private boolean unnamedStatementLive;
    /** The last FATAL or PANIC ErrorResponse the backend sent: why it is about to close the connection. */
    private PgMessage lastFatal;
    private boolean target;
    private boolean timedOut;
    private Vertx vertx;
    private long timeoutMillis;

    public Leg(BackendConnection backend, int maxMessageSize) {
        this.backend = backend;
        this.database = backend.endpoint().describe();
        this.assembler = new MessageAssembler(maxMessageSize);
        this.transactionStatus = backend.transactionStatus();
    }

    /** Times every request of this leg, tagged with its role, its statement class and the policy of the moment. */
    public void measuredBy(DualWriteMetrics meters, boolean primary,
            Supplier<ConsistencyPolicy> currentPolicy) {
        this.metrics = meters;
        this.primaryRole = primary;
        this.policy = currentPolicy;
        this.target = "target".equals(backend.endpoint().role());
        this.classifier = meters.classifiesStatements() ? new RequestClassifier() : null;
        if (target) {
            meters.targetConnectionOpened();
        }
    }

    /** Whether the leg was given up because a request was not answered in time. */
    public boolean timedOut() {
        return timedOut;
    }

    /** Every request must be answered within this time, or the leg is closed as lost. */
    public void answerWithin(Vertx timers, Duration timeout) {
        this.vertx = timers;
        this.timeoutMillis = timeout.toMillis();
    }

    public void start() {
        NetSocket socket = backend.socket();
        socket.handler(this::onBytes);
        socket.closeHandler(v -> lost("the " + database + " closed the connection"));
        socket.exceptionHandler(failure -> lost("the connection to the " + database + " failed: " + failure.getMessage()));
        if (backend.leftover().length() > 0) {
            onBytes(backend.leftover());
        }
    }

    /** Messages the backend sends outside of any request: notices, notifications, parameter changes. */
    public void onUnsolicited(Handler<PgMessage> handler) {
        this.unsolicited = handler;
    }

    public void onLost(Handler<String> handler) {
        this.lostHandler = handler;
    }

    /** Runs after the messages of one read from the socket were dispatched: a moment to flush what they produced. */
    public void afterChunk(Runnable action) {
        this.afterChunk = action;
    }

    /**
     * Writes a request whose answer ends with its {@code readyForQueryCount}-th ReadyForQuery. A leg that is gone
     * answers at once with {@link LegReply#lost}.
     */
    public Future<LegReply> send(Buffer request, int readyForQueryCount, Sink sink) {
        if (!open) {
            return Future.succeededFuture(LegReply.lost("the connection to the " + database + " is gone"));
        }
        return writeAfterHeld(enqueue(request, readyForQueryCount, sink), request);
    }

    /**
     * Writes the part of an extended-protocol batch that a client's Flush asks answers for before its Sync: no
     * ReadyForQuery ends it, so the request is over after {@code answers} final answers (ParseComplete, BindComplete,
     * CloseComplete, ParameterDescription and RowDescription or NoData for a Describe, CommandComplete, EmptyQuery
     * or PortalSuspended for an Execute; see {@code AheadOfSync.answers}), or at the first ErrorResponse, after which
     * the server skips to the Sync.
     */
    public Future<LegReply> sendAhead(Buffer request, int answers, Sink sink) {
        if (!open) {
            return Future.succeededFuture(LegReply.lost("the connection to the " + database + " is gone"));
        }
        Request pending = enqueue(request, 0, sink);
        pending.answersLeft = answers;
        return writeAfterHeld(pending, request);
    }

    /** Writes the request, behind what {@link #sendLater} held back, in one write. */
    private Future<LegReply> writeAfterHeld(Request pending, Buffer request) {
        Buffer bytes = request;
        if (held != null) {
            bytes = held.appendBuffer(request);
            held = null;
        }
        write(bytes);
        return pending.promise.future();
    }

    /**
     * Like {@link #send}, but the request is written with the next {@link #send}, {@link #flush} or
     * {@link #drained}, in one write with the requests held before it. For the secondary's part of an open
     * transaction, which nobody waits for until the transaction ends: one write and one wake-up of the backend per
     * transaction instead of one per statement, on the proxy and on the database. The order of requests on the
     * connection is the order of the calls either way.
     */
    public Future<LegReply> sendLater(Buffer request, int readyForQueryCount, Sink sink) {
        if (!open) {
            return Future.succeededFuture(LegReply.lost("the connection to the " + database + " is gone"));
        }
        Request pending = enqueue(request, readyForQueryCount, sink);
        if (held == null) {
            held = Buffer.buffer(Math.max(256, request.length() * 4));
        }
        held.appendBuffer(request);
        if (held.length() >= HELD_BYTES_LIMIT) {
            flush();
        }
        return pending.promise.future();
    }

    /**
     * A plain {@code BEGIN} (one that cannot fail) written with the leg's next request: until it is answered the leg
     * reports itself in a transaction, as it will be by the time anything else reaches it. Saves the source a round
     * trip per transaction; Exodus answers the client's BEGIN itself.
     */
    public void beginLater(Buffer begin) {
        if (!open) {
            return;
        }
        sendLater(begin, 1, DISCARD);
        requests.peekLast().heldBegin = true;
        heldBegins++;
    }

    /**
     * Writes COPY data (CopyData, CopyDone or CopyFail) for the request in progress, a {@code COPY … FROM STDIN} that
     * the leg was sent: no answer is awaited for it, since the server answers the COPY as a whole. The clocks of the
     * requests waiting restart, because the server cannot answer before its data has ended, however long the client
     * takes to send it.
     */
    public void stream(Buffer copyData) {
        if (!open) {
            return;
        }
        flush();
        backend.socket().write(copyData);
        if (timeoutMillis <= 0) {
            return;
        }
        for (Request pending : requests) {
            if (pending.timer >= 0) {
                vertx.cancelTimer(pending.timer);
                startClock(pending);
            }
        }
    }

    /** Whether the socket to the backend holds more unwritten bytes than it should: the writer waits then. */
    public boolean writeQueueFull() {
        return open && backend.socket().writeQueueFull();
    }

    /** Runs {@code action} once the socket to the backend can take more (or at once if it can now, or is gone). */
    public void whenWritable(Runnable action) {
        if (!writeQueueFull()) {
            action.run();
            return;
        }
        backend.socket().drainHandler(v -> {
            backend.socket().drainHandler(null);
            action.run();
        });
    }

    /** Writes the requests {@link #sendLater} held back. */
    public void flush() {
        if (held != null && open) {
            Buffer bytes = held;
            held = null;
            write(bytes);
        }
    }

    private Request enqueue(Buffer request, int readyForQueryCount, Sink sink) {
        trackUnnamedStatement(request);
        if (LOG.isTraceEnabled()) {
            LOG.tracef("%s %d <- %s", database, backend.processId(), describeRequest(request));
        }
        Request pending = new Request(readyForQueryCount, sink);
        if (classifier != null) {
            // In the order written, so that a Bind finds the class its statement's Parse left.
            pending.statementClass = classifier.readRequests(request.getByteBuf(), 0, request.length());
        }
        requests.add(pending);
        return pending;
    }

    /**
     * A simple Query drops the connection's unnamed prepared statement (PostgreSQL defines simple-Query mode as using
     * it); a Parse of the unnamed statement makes a new one. Followed in the order requests are asked for, so that a
     * request built next knows whether the client's unnamed statement is still there or was dropped by a Query that
     * Exodus sent itself (its BEGIN, COMMIT or bookkeeping).
     */
    private void trackUnnamedStatement(Buffer request) {
        for (int at = 0; at + 5 <= request.length(); at += 1 + request.getInt(at + 1)) {
            byte type = request.getByte(at);
            if (type == FrontendMessageType.QUERY) {
                unnamedStatementLive = false;
            } else if (type == FrontendMessageType.PARSE && at + 5 < request.length() && request.getByte(at + 5) == 0) {
                unnamedStatementLive = true;
            }
        }
    }

    /** The FATAL ErrorResponse with which the backend ended the session itself, or null. */
    public PgMessage lastFatal() {
        return lastFatal;
    }

    /** Whether the unnamed statement last parsed on this connection is still there (see above). */
    public boolean unnamedStatementLive() {
        return unnamedStatementLive;
    }

    /** Writes bytes that end the requests not written yet, and starts their clocks. */
    private void write(Buffer bytes) {
        backend.socket().write(bytes);
        long now = System.nanoTime();
        for (Iterator<Request> last = requests.descendingIterator(); last.hasNext(); ) {
            Request pending = last.next();
            if (pending.sentAt != 0) {
                break;
            }
            pending.sentAt = now;
            if (timeoutMillis > 0) {
                startClock(pending);
            }
        }
    }

    private void startClock(Request pending) {
        pending.timer = vertx.setTimer(timeoutMillis, id -> {
            if (!pending.promise.future().isComplete()) {
                timedOut = true;
                lost("the " + database + " did not answer within " + timeoutMillis / 1000
                        + " s (exodus.migration.secondary-timeout)");
                backend.socket().close();
            }
        });
    }

    public boolean isOpen() {
        return open;
    }

    /** Stops reading the backend's answers (the client cannot take them as fast); TCP then slows the backend. */
    public void pauseReading() {
        backend.socket().pause();
    }

    public void resumeReading() {
        backend.socket().resume();
    }

    /** Completes once the leg has answered everything asked so far (or is gone). */
    public Future<Void> drained() {
        flush();
        if (requests.isEmpty()) {
            return Future.succeededFuture();
        }
        if (drain == null) {
            drain = Promise.promise();
        }
        return drain.future();
    }

    private void completeDrainIfIdle() {
        if (requests.isEmpty() && drain != null) {
            Promise<Void> waiting = drain;
            drain = null;
            waiting.complete();
        }
    }

    /** Whether the leg has answered everything it was asked. */
    public boolean isIdle() {
        return requests.isEmpty();
    }

    public TransactionStatus transactionStatus() {
        return heldBegins > 0 ? TransactionStatus.IN_TRANSACTION : transactionStatus;
    }

    public String database() {
        return database;
    }

    public BackendConnection backend() {
        return backend;
    }

    public void close() {
        if (open) {
            open = false;
            connectionEnded();
            NetSocket socket = backend.socket();
            if (nothingWritten() && transactionStatus == TransactionStatus.IDLE) {
                socket.end(SessionMessages.terminate());
            } else {
                socket.close();
            }
            failPending("the connection to the " + database + " was closed by Exodus");
        }
    }

    /**
     * Stops reading the connection without closing it, for another relay to take over between transactions: what
     * arrived but was not yet dispatched (an early notification) is handed on as the connection's leftover.
     */
    public BackendConnection release() {
        if (!requests.isEmpty()) {
            throw new IllegalStateException("a leg is released only when it has answered everything");
        }
        open = false;
        NetSocket socket = backend.socket();
        socket.handler(null);
        socket.closeHandler(null);
        socket.exceptionHandler(null);
        socket.resume();
        return new BackendConnection(backend.endpoint(), socket, backend.processId(), backend.secretKey(),
                backend.startupMessages(), transactionStatus, assembler.drain());
    }

    /** Whether every request asked so far was answered or is still held back (never reached the backend). */
    private boolean nothingWritten() {
        for (Request request : requests) {
            if (request.sentAt != 0) {
                return false;
            }
        }
        return true;
    }

    private void onBytes(Buffer chunk) {
        assembler.append(chunk);
        try {
            while (true) {
                Request head = requests.peek();
                if (head != null && head.sink.takesRuns() && head.answersLeft == 0) {
                    Buffer rows = assembler.nextRunOf(head.sink.runsOf());
                    if (rows != null) {
                        head.sink.acceptRun(rows);
                        continue;
                    }
                }
                PgMessage message = assembler.nextTyped();
                if (message == null) {
                    break;
                }
                dispatch(message);
            }
            afterChunk.run();
        } catch (ProtocolViolation violation) {
            lost("the " + database + " sent a malformed message: " + violation.getMessage());
            backend.socket().close();
        } catch (RuntimeException failure) {
            // A sink that cannot take an answer must not leave the request waiting forever: the session ends,
            // loudly, instead of hanging with the backend idle in its transaction.
            LOG.errorf(failure, "Exodus failed on an answer of the %s", database);
            lost("Exodus failed on an answer of the " + database + ": " + failure.getMessage());
            backend.socket().close();
        }
    }

    private static final Logger LOG = Logger.getLogger(Leg.class);

    /** The message types of a request, with the text of Query and Parse: for trace logs. */
    private static String describeRequest(Buffer request) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at + 5 <= request.length()) {
            char type = (char) request.getByte(at);
            int length = request.getInt(at + 1);
            out.append(type);
            if (type == FrontendMessageType.QUERY || type == FrontendMessageType.PARSE) {
                out.append('[').append(request.getString(at + 5, Math.min(at + 1 + length, at + 80))).append(']');
            }
            out.append(' ');
            at += 1 + length;
        }
        return out.toString();
    }

    /** Tells {@code watch} of every setting this backend reports from now on, whoever the answer goes to. */
    public void watchSettings(Consumer<ParameterStatus> watch) {
        settingsWatch = watch;
    }

    private void dispatch(PgMessage message) {
        if (LOG.isTraceEnabled()) {
            LOG.tracef("%s %d -> %c", database, backend.processId(), (char) message.type());
        }
        if (settingsWatch != null && message.type() == BackendMessageType.PARAMETER_STATUS) {
            settingsWatch.accept(ParameterStatus.decode(message.body()));
        }
        if (message.type() == BackendMessageType.ERROR_RESPONSE && ErrorResponse.decode(message.body()).endsSession()) {
            lastFatal = message;
        }
        Request head = requests.peek();
        if (head == null) {
            unsolicited.handle(message);
            return;
        }
        byte type = message.type();
        if (head.answersLeft > 0 && type == BackendMessageType.READY_FOR_QUERY) {
            // After an error the server skipped the rest of the batch up to its Sync: the parts sent ahead since are
            // over without an answer, and this ReadyForQuery is the Sync's.
            head.answersLeft = 0;
            complete(head);
            dispatch(message);
            return;
        }
        if (head.sink == DISCARD && (type == BackendMessageType.NOTIFICATION_RESPONSE
                || type == BackendMessageType.PARAMETER_STATUS)) {
            // The answer to a statement Exodus sent itself (a COMMIT, a ROLLBACK) is dropped, but a notification
            // (the session's own NOTIFY is delivered at its commit) or a setting's new value is the client's.
            unsolicited.handle(message);
        }
        if (type == BackendMessageType.ERROR_RESPONSE && head.error == null) {
            head.error = ErrorResponse.decode(message.body());
        } else if (type == BackendMessageType.COMMAND_COMPLETE) {
            head.tags.add(CommandComplete.tag(message.body()));
        }
        head.sink.accept(message);
        if (head.answersLeft > 0) {
            if (type == BackendMessageType.ERROR_RESPONSE || BackendMessageType.isFinalAnswer(type) && --head.answersLeft == 0) {
                head.answersLeft = 0;
                complete(head);
            }
            return;
        }
        if (type == BackendMessageType.READY_FOR_QUERY) {
            transactionStatus = TransactionStatus.of(message.body());
            if (--head.readyLeft == 0) {
                complete(head);
            }
        }
    }

    private void complete(Request head) {
        requests.poll();
        if (head.heldBegin) {
            heldBegins--;
        }
        if (head.timer >= 0) {
            vertx.cancelTimer(head.timer);
        }
        if (policy != null) {
            metrics.legRequest(policy.get(), head.statementClass, target, primaryRole, head.sentAt,
                    head.error != null);
        }
        head.promise.complete(new LegReply(transactionStatus, head.error, head.tags, false));
        completeDrainIfIdle();
    }

    private void lost(String why) {
        if (!open) {
            return;
        }
        open = false;
        connectionEnded();
        failPending(why);
        lostHandler.handle(why);
    }

    private void connectionEnded() {
        if (target && policy != null) {
            metrics.targetConnectionClosed();
        }
    }

    private void failPending(String why) {
        held = null;
        heldBegins = 0;
        Request request;
        while ((request = requests.poll()) != null) {
            if (policy != null) {
                metrics.legRequest(policy.get(), request.statementClass, target, primaryRole,
                        request.sentAt != 0 ? request.sentAt : System.nanoTime(), true);
            }
            request.promise.tryComplete(LegReply.lost(why));
        }
        completeDrainIfIdle();
    }

    private static final class Request {
        final Promise<LegReply> promise = Promise.promise();
        final Sink sink;
        final List<String> tags = new ArrayList<>(2);
        int readyLeft;
        /** For a request of {@link #sendAhead}: the final answers still to come. */
        int answersLeft;
        ErrorResponse error;
        long timer = -1;
        boolean heldBegin;
        StatementClass statementClass = StatementClass.OTHER;
        /** When the request was written; 0 while {@link #sendLater} holds it. */
        long sentAt;

        Request(int readyLeft, Sink sink) {
            this.readyLeft = readyLeft;
            this.sink = sink;
        }
    }
}
