package io.exodus.proxy.direct;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.capture.SessionCapture;
import io.exodus.proxy.metrics.RelayMetrics;
import io.exodus.proxy.metrics.RequestClassifier;
import io.exodus.proxy.session.Relay;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.session.StaleStateRefusal;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.MessageScanner;
import io.exodus.proxy.wire.ProtocolViolation;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The established session: bytes flow client → backend and backend → client as they come, chunk by chunk,
 * while scanners read the message headers going by. The client's headers are checked (type, length) before
 * anything is forwarded; the backend's ReadyForQuery messages tell whether a query or a transaction is in
 * flight, which is what cancel-on-disconnect and graceful shutdown need to know. The session's {@link RelayMetrics}
 * sees the same headers and chunks go by, to time requests and count bytes and errors, and with metrics on the first
 * bytes of the client's Query, Parse, Bind, Execute and Close bodies, to tell each request's statement class. With
 * capture on, the session's {@link SessionCapture} is told of the headers going by both ways and gets the few bodies
 * it asks for, message by message (a sampled Query's text, a Parse, a Bind's names, command tags); rows are never
 * copied.
 */
public final class DirectRelay implements Relay {

    private final RelayHost session;
    private final NetSocket client;
    private final BackendConnection backend;
    private final SessionServices services;
    private final MessageScanner clientScanner;
    private final MessageScanner backendScanner;
    private final RelayMetrics metrics;
    private final SessionCapture capture;
    /** Queries and Syncs sent whose ReadyForQuery has not come back yet. */
    private int inFlight;
    private TransactionStatus transactionStatus;
    private boolean clientTerminated;
    private boolean closeWhenIdle;
    /** Why the open transaction ends once no request is in flight ({@link #endOpenTransaction}), or null. */
    private ErrorResponse endTransaction;
    private boolean backendClosed;
    /** Extended-protocol messages came after the last Sync: a request is being sent, though nothing is in flight. */
    private boolean sinceSync;
    /** What {@link #holdWhenQuiet} waits to run; null when nothing waits. */
    private Runnable atQuiet;
    private final BackendConnector connector;
    /** The scanner stopped the client's stream because this replica is stale, not for a protocol violation. */
    private boolean refusedAsStale;
    /** What the client sent since the relay began holding; null while it forwards. */
    private CompositeByteBuf held;
    /** The relay holds the client's stream for a confirmation of the lease, not for a quiet moment. */
    private boolean confirming;

    /**
     * @param connector opens connections to {@code backend}'s database (the source, or the target once it is the
     *                  primary): the cancel requests go there
     */
    public DirectRelay(RelayHost session, NetSocket client, BackendConnection backend, SessionServices services,
            BackendConnector connector) {
        this.session = session;
        this.connector = connector;
        this.client = client;
        this.backend = backend;
        this.services = services;
        this.transactionStatus = backend.transactionStatus();
        this.metrics = services.metrics().openRelay();
        this.clientScanner = new MessageScanner(new ClientListener());
        if (metrics.classifiesStatements()) {
            // Every message type whose first bytes tell a request's statement class (Query, Parse, Bind …).
            for (int type = 0; type < 256; type++) {
                int wanted = RequestClassifier.bytesWanted((byte) type);
                if (wanted > 0) {
                    clientScanner.peek((byte) type, wanted);
                }
            }
        }
        this.capture = services.capture().openSession(session.number(), session.startupParameters());
        if (capture.enabled()) {
            // A Bind's portal and statement names, which tie its Execute to the text its Parse gave.
            clientScanner.peek(FrontendMessageType.BIND, Math.max(SessionCapture.BIND_NAMES_BYTES,
                    metrics.classifiesStatements() ? RequestClassifier.bytesWanted(FrontendMessageType.BIND) : 0));
        }
        this.backendScanner = new MessageScanner(new BackendListener()).capture(BackendMessageType.READY_FOR_QUERY);
        if (metrics.countsBackendErrors()) {
            backendScanner.capture(BackendMessageType.ERROR_RESPONSE);
        }
    }

    public void start(Buffer backendLeftover) {
        NetSocket server = backend.socket();
        // Raw Netty buffers instead of Vert.x's data handler: no copy into a heap buffer per read, no inbound
        // queue, and the buffer read from one socket is the one written to the other.
        ((NetSocketInternal) server).messageHandler(this::onBackendMessage);
        ((NetSocketInternal) client).messageHandler(this::onClientMessage);
        server.closeHandler(v -> onBackendClosed());
        server.exceptionHandler(failure -> onBackendClosed());
        // Flow control both ways: a slow reader stops reads from the writer's socket instead of filling memory.
        server.drainHandler(v -> autoRead(client, true));
        client.drainHandler(v -> autoRead(server, true));
        if (backendLeftover.length() > 0) {
            fromBackend(Unpooled.wrappedBuffer(backendLeftover.getBytes()));
        }
    }

    private void onClientMessage(Object message) {
        if (message instanceof ByteBuf chunk) {
            fromClient(chunk);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void onBackendMessage(Object message) {
        if (message instanceof ByteBuf chunk) {
            fromBackend(chunk);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    /** Bytes the client sent before the relay began (read while the backend session was being opened). */
    @Override
    public void fromClient(Buffer early) {
        fromClient(Unpooled.wrappedBuffer(early.getBytes()));
    }

    private void fromClient(ByteBuf chunk) {
        if (backendClosed) {
            chunk.release();
            return;
        }
        if (held != null) {
            // Whole messages only reach here: the relay began holding at a message boundary.
            held.addComponent(true, chunk);
            autoRead(client, false);
            return;
        }
        // A header split across chunks had its first bytes forwarded already: only a stop at a whole header can wait.
        boolean fromBoundary = clientScanner.atMessageBoundary();
        int accepted = clientScanner.scan(chunk);
        ByteBuf toConfirm = null;
        if (refusedAsStale && (accepted > 0 || fromBoundary)) {
            toConfirm = chunk.retainedSlice(chunk.readerIndex() + accepted, chunk.readableBytes() - accepted);
        }
        NetSocket server = backend.socket();
        if (accepted > 0) {
            forward(server, chunk, accepted);
            metrics.forwardedToBackend(accepted);
            if (server.writeQueueFull()) {
                autoRead(client, false);
            }
        } else {
            chunk.release();
        }
        ProtocolViolation violation = clientScanner.failure();
        if (toConfirm != null) {
            holdUntilConfirmed(toConfirm);
        } else if (violation != null) {
            session.closeWithError(refusedAsStale ? StaleStateRefusal.error(session)
                    : ErrorResponse.fatal(violation.sqlState(), violation.getMessage()));
        } else if (clientTerminated) {
            backendClosed = true;
            server.close();
            session.closed();
        } else {
            runIfQuiet();
        }
    }

    /**
     * The lease expired, perhaps only because the heartbeat was late: the request that found it so, and whatever
     * follows, wait unread for a confirmation asked now; confirmed, the stream goes on from that request's header,
     * which is checked again; otherwise the session is refused as stale (docs/adr/0032, "Confirmation on demand").
     */
    private void holdUntilConfirmed(ByteBuf request) {
        refusedAsStale = false;
        clientScanner.forgetFailure();
        confirming = true;
        held = Unpooled.compositeBuffer();
        held.addComponent(true, request);
        autoRead(client, false);
        services.relays().confirmState(session).onComplete(confirmed -> {
            confirming = false;
            if (backendClosed || confirmed.failed()) {
                held.release();
                held = null;
                if (!backendClosed) {
                    session.closeWithError(StaleStateRefusal.error(session));
                }
                return;
            }
            release();
        });
    }

    private void fromBackend(ByteBuf chunk) {
        int accepted = backendScanner.scan(chunk);
        if (accepted > 0) {
            forward(client, chunk, accepted);
            metrics.forwardedToClient(accepted);
            if (client.writeQueueFull()) {
                autoRead(backend.socket(), false);
            }
        } else {
            chunk.release();
        }
        if (backendScanner.failure() != null) {
            session.closeWithError(ErrorResponse.fatal(SqlState.PROTOCOL_VIOLATION,
                    "the backend sent a malformed message: " + backendScanner.failure().getMessage()));
        } else if (endTransactionIfBetweenRequests()) {
            return;
        } else if (closeWhenIdle && isIdle()) {
            session.closeForShutdownNow();
        } else {
            runIfQuiet();
        }
    }

    @Override
    public void endOpenTransaction(ErrorResponse why) {
        endTransaction = why;
        endTransactionIfBetweenRequests();
    }

    /** Closes the session if its transaction is to be ended and no request is in flight; whether it did. */
    private boolean endTransactionIfBetweenRequests() {
        if (endTransaction == null || inFlight > 0) {
            return false;
        }
        ErrorResponse why = endTransaction;
        endTransaction = null;
        if (transactionStatus == TransactionStatus.IDLE) {
            return false;
        }
        session.closeWithError(why);
        return true;
    }

    /** Writes the first {@code accepted} readable bytes of the chunk; the write takes over the chunk's reference. */
    private static void forward(NetSocket destination, ByteBuf chunk, int accepted) {
        ByteBuf payload = chunk;
        if (accepted < chunk.readableBytes()) {
            payload = chunk.retainedSlice(chunk.readerIndex(), accepted);
            chunk.release();
        }
        // No completion handler: Vert.x then allocates no promise per write on this hot path.
        ((NetSocketInternal) destination).writeMessage(payload, null);
    }

    private static void autoRead(NetSocket socket, boolean enabled) {
        ((NetSocketInternal) socket).channelHandlerContext().channel().config().setAutoRead(enabled);
    }

    boolean isIdle() {
        return inFlight == 0 && transactionStatus == TransactionStatus.IDLE;
    }

    /** Idle, and neither side half-way through a message nor the client half-way through an extended request. */
    private boolean isQuiet() {
        return isIdle() && !sinceSync && clientScanner.atMessageBoundary() && backendScanner.atMessageBoundary();
    }

    private void runIfQuiet() {
        if (atQuiet != null && held == null && !confirming && !backendClosed && isQuiet()) {
            Runnable quiet = atQuiet;
            atQuiet = null;
            held = Unpooled.compositeBuffer();
            quiet.run();
        }
    }

    @Override
    public void holdWhenQuiet(Runnable quiet) {
        atQuiet = quiet;
        runIfQuiet();
    }

    @Override
    public void resume() {
        atQuiet = null;
        if (!confirming) {
            release();
        }
    }

    /** Takes what the client sent while the relay held it, and reads from the client again. */
    private void release() {
        CompositeByteBuf waiting = held;
        held = null;
        autoRead(client, true);
        if (waiting != null) {
            if (waiting.isReadable()) {
                fromClient(waiting);
            } else {
                waiting.release();
            }
        }
    }

    @Override
    public Future<HandOff> detach() {
        if (held == null) {
            throw new IllegalStateException("a relay is detached only while it holds the session at a quiet moment");
        }
        NetSocket server = backend.socket();
        ((NetSocketInternal) server).messageHandler(null);
        ((NetSocketInternal) client).messageHandler(null);
        server.closeHandler(null);
        server.exceptionHandler(null);
        server.drainHandler(null);
        client.drainHandler(null);
        autoRead(server, true);
        autoRead(client, true);
        Buffer fromClient = Buffer.buffer(held.readableBytes());
        fromClient.appendBytes(ByteBufUtil.getBytes(held));
        held.release();
        held = null;
        backendClosed = true;
        metrics.backendClosed();
        capture.handedOff();
        return Future.succeededFuture(new HandOff(backend.betweenTransactions(), fromClient));
    }

    @Override
    public void closeWhenIdle() {
        closeWhenIdle = true;
        if (isIdle()) {
            session.closeForShutdownNow();
        }
    }

    /** Forwards the client's CancelRequest to the backend process that runs its query. */
    @Override
    public void cancelBackend() {
        connector.cancel(backend.processId(), backend.secretKey());
    }

    /** The client went away: a query it left running is cancelled, not left to finish for nobody. */
    @Override
    public void onClientGone() {
        if (!clientTerminated && !isIdle()) {
            cancelBackend();
        }
        closeBackend();
    }

    @Override
    public void closeBackend() {
        if (!backendClosed) {
            backendClosed = true;
            metrics.backendClosed();
            capture.closed();
            NetSocket server = backend.socket();
            if (isIdle()) {
                server.end(SessionMessages.terminate());
            } else {
                server.close();
            }
        }
    }

    private void onBackendClosed() {
        if (!backendClosed) {
            backendClosed = true;
            metrics.backendClosed();
            capture.closed();
            session.closed();
        }
    }

    private final class ClientListener implements MessageScanner.Listener {
        @Override
        public void onHeader(byte type, int length) {
            if (!FrontendMessageType.isKnownInSession(type)) {
                throw ProtocolViolation.of("invalid frontend message type " + FrontendMessageType.describe(type));
            }
            if (length > services.maxMessageSize()) {
                throw new ProtocolViolation(SqlState.PROGRAM_LIMIT_EXCEEDED, "message of " + length
                        + " bytes exceeds the limit of " + services.maxMessageSize() + " bytes (exodus.protocol.max-message-size)");
            }
            switch (type) {
                case FrontendMessageType.QUERY, FrontendMessageType.FUNCTION_CALL -> {
                    refuseIfStale();
                    inFlight++;
                }
                case FrontendMessageType.SYNC -> {
                    inFlight++;
                    sinceSync = false;
                }
                case FrontendMessageType.PARSE, FrontendMessageType.BIND, FrontendMessageType.DESCRIBE,
                        FrontendMessageType.EXECUTE, FrontendMessageType.CLOSE, FrontendMessageType.FLUSH -> {
                    if (!sinceSync) {
                        refuseIfStale();
                    }
                    sinceSync = true;
                }
                case FrontendMessageType.TERMINATE -> clientTerminated = true;
                default -> {
                }
            }
            metrics.clientMessage(type, length);
            if (capture.clientHeader(type, length)) {
                clientScanner.captureThisBody();
            }
        }

        /**
         * At the first message of a request: a stale replica stops the stream before it, to wait for a confirmation
         * or be refused (docs/adr/0032). This relay does not read the statements it streams, so it cannot tell a read
         * from a write: every request waits.
         */
        private void refuseIfStale() {
            if (services.relays().refusesWrites(session)) {
                refusedAsStale = true;
                throw new ProtocolViolation(SqlState.CANNOT_CONNECT_NOW, "stale control state");
            }
        }

        @Override
        public void onBodyStart(byte type, ByteBuf bytes, int index, int length) {
            metrics.clientMessageStart(type, bytes, index, length);
            capture.clientMessageStart(type, bytes, index, length);
        }

        @Override
        public void onBody(byte type, Buffer body) {
            ByteBuf bytes = body.getByteBuf();
            capture.clientMessage(type, bytes, bytes.readerIndex(), bytes.readableBytes());
        }
    }

    private final class BackendListener implements MessageScanner.Listener {
        @Override
        public void onHeader(byte type, int length) {
            if (capture.answerHeader(type)) {
                backendScanner.captureThisBody();
            }
        }

        @Override
        public void onBody(byte type, Buffer body) {
            if (capture.enabled()) {
                ByteBuf bytes = body.getByteBuf();
                capture.answer(type, bytes, bytes.readerIndex(), bytes.readableBytes());
            }
            if (type == BackendMessageType.ERROR_RESPONSE) {
                if (metrics.countsBackendErrors()) {
                    metrics.backendError(body);
                }
                return;
            }
            if (type != BackendMessageType.READY_FOR_QUERY) {
                return;
            }
            if (inFlight > 0) {
                inFlight--;
            }
            transactionStatus = TransactionStatus.of(body);
            metrics.readyForQuery();
        }
    }
}
