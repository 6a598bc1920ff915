package io.exodus.proxy.capture;

import io.exodus.capture.Protocol;
import io.exodus.capture.SqlStatements;
import io.exodus.capture.TransactionBoundary;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.TransactionStatus;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The capture of one session, on its event loop: follows the client's requests and the answers the client is sent,
 * and records each statement that completes. A request is a Query (one or more statements, answered in order), or
 * the extended-protocol messages up to a Sync (one statement per Execute, answered in order; after an error the
 * server skips to the Sync), or a FunctionCall; each ends with its ReadyForQuery, in order, so they wait in a FIFO.
 * Statements of a request are held until its ReadyForQuery, which tells the transaction status after them, and in
 * dual-write brings each leg's time; then they go to the buffer.
 * <p>
 * The transaction boundary comes from the command tags (BEGIN, COMMIT, ROLLBACK …) and is corrected by ReadyForQuery's
 * status: a {@code ROLLBACK TO SAVEPOINT} (tag ROLLBACK) after which the transaction is still open is {@code inside}.
 * <p>
 * Not thread-safe: one instance per session, called on its event loop only.
 */
final class StatementRecorder implements SessionCapture {
    /** Named statements remembered; the oldest is forgotten beyond (its executions then count as unknown). */
    static final int MAX_NAMED_STATEMENTS = 1024;
    /** Statements of one request held for its ReadyForQuery; beyond, they are buffered at once, without leg times. */
    static final int MAX_HELD = 256;

    private final long sessionId;
    private final CaptureSettings settings;
    private final CaptureBuffer buffer;
    private final Map<String, Prepared> statements = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Prepared> eldest) {
            return size() > MAX_NAMED_STATEMENTS;
        }
    };
    private final Map<String, Portal> portals = new HashMap<>();
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** The extended-protocol request being received, up to its Sync; also the last of {@link #requests}. */
    private Request open;

    /** Whether the client message whose header came last was asked for whole, and (a Bind) with its values. */
    private boolean currentWhole;
    private boolean currentValues;
    /** A Bind's draw: whether the statement it binds is captured. */
    private boolean bindSampled;
    /** System.nanoTime of the first Parse or Bind since the last Execute: where the next statement starts. */
    private long statementStart;

    private final TransactionFollower transactions = new TransactionFollower();
    private final SettingsFollower settingsFollower;
    private final Consumer<SettingsFollower> handOff;

    /**
     * A Parse's statement: its text, and the parameter types it declared (type OIDs, 0 where the server infers one),
     * read only when values may be captured, since only they need them; else null. Whether its text calls
     * set_config is told once here, not at each execution.
     */
    private record Prepared(String text, long[] parameterTypes, boolean callsSetConfig) {
    }

    private record Portal(String statementName, String text, long[] parameterTypes, byte[] bindBody,
            boolean sampled, boolean callsSetConfig) {
    }

    private record Execution(Portal portal, long startNanos) {
    }

    private static final class Request {
        final boolean simple;
        boolean endsWithReady;
        /** A Query's text: when it is captured, or when it may change the session's settings. */
        String text;
        boolean callsSetConfig;
        boolean sampled;
        long startNanos;
        int answered;
        long lastAnswerNanos;
        final ArrayDeque<Execution> executions = new ArrayDeque<>(2);
        final List<CapturedStatement> held = new ArrayList<>(1);
        long sourceNanos = -1;
        long targetNanos = -1;

        Request(boolean simple, boolean endsWithReady) {
            this.simple = simple;
            this.endsWithReady = endsWithReady;
        }
    }

    /** @param startupParameters the client's start-up packet's parameters, the session's first settings */
    StatementRecorder(long sessionId, Map<String, String> startupParameters, CaptureSettings settings,
            CaptureBuffer buffer) {
        this(sessionId, new SettingsFollower(startupParameters, settings.redact(),
                settings.parameters() != ParameterCapture.OFF), settings, buffer, follower -> {
                });
    }

    /**
     * @param settingsFollower the session's settings as followed so far (by its previous relay's capture, or new)
     * @param handOff          takes them when the session moves to another relay
     */
    StatementRecorder(long sessionId, SettingsFollower settingsFollower, CaptureSettings settings,
            CaptureBuffer buffer, Consumer<SettingsFollower> handOff) {
        this.sessionId = sessionId;
        this.settings = settings;
        this.buffer = buffer;
        this.settingsFollower = settingsFollower;
        this.handOff = handOff;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    // ---- the client's messages -----------------------------------------------------------------------------------

    @Override
    public boolean clientHeader(byte type, int length) {
        currentWhole = false;
        currentValues = false;
        int bodyLength = length - 4;
        switch (type) {
            case FrontendMessageType.QUERY -> {
                endOpenWithoutSync();
                Request request = new Request(true, true);
                if (bodyLength > settings.maxStatementBytes()) {
                    buffer.drop(DropReason.TOO_LARGE);
                } else {
                    // Read even when not sampled: a SET in it changes the settings of the statements that are.
                    currentWhole = true;
                    if (sampled()) {
                        request.sampled = true;
                        request.startNanos = System.nanoTime();
                    }
                }
                requests.add(request);
            }
            case FrontendMessageType.PARSE -> {
                openRequest();
                markStatementStart();
                if (bodyLength > settings.maxStatementBytes() + SessionCapture.BIND_NAMES_BYTES) {
                    // Its name is not read: the unnamed statement (the usual one for large texts) is unknown now.
                    statements.remove("");
                } else {
                    currentWhole = true;
                }
            }
            case FrontendMessageType.BIND -> {
                openRequest();
                markStatementStart();
                bindSampled = sampled();
                currentValues = bindSampled && wantsValues() && bodyLength <= settings.maxStatementBytes();
                currentWhole = currentValues;
            }
            case FrontendMessageType.EXECUTE -> {
                openRequest();
                currentWhole = true;
            }
            case FrontendMessageType.CLOSE -> currentWhole = true;
            case FrontendMessageType.SYNC -> {
                openRequest().endsWithReady = true;
                open = null;
                statementStart = 0;
            }
            case FrontendMessageType.FUNCTION_CALL -> {
                endOpenWithoutSync();
                requests.add(new Request(false, true));
            }
            default -> {
            }
        }
        return currentWhole;
    }

    @Override
    public void clientMessage(byte type, ByteBuf bytes, int index, int length) {
        if (type == FrontendMessageType.BIND) {
            bind(bytes, index, length, currentValues);
            return;
        }
        if (!currentWhole) {
            return;
        }
        int end = index + length;
        switch (type) {
            case FrontendMessageType.QUERY -> {
                Request request = requests.peekLast();
                if (request != null && request.simple) {
                    String text = MessageFields.cString(bytes, index, end);
                    if (text != null && (request.sampled || SettingStatement.mayChangeSettings(text))) {
                        request.text = text;
                        request.callsSetConfig = SettingStatement.callsSetConfig(text);
                    }
                }
            }
            case FrontendMessageType.PARSE -> {
                int nameEnd = MessageFields.zero(bytes, index, end);
                if (nameEnd < 0) {
                    return;
                }
                String name = bytes.toString(index, nameEnd - index, StandardCharsets.UTF_8);
                int textEnd = MessageFields.zero(bytes, nameEnd + 1, end);
                String text = MessageFields.cString(bytes, nameEnd + 1, end);
                if (text == null || text.length() > settings.maxStatementBytes()) {
                    statements.remove(name);
                } else {
                    long[] types = settings.parameters() == ParameterCapture.OFF ? null
                            : parameterTypes(bytes, textEnd + 1, end);
                    statements.put(name, new Prepared(text, types, SettingStatement.callsSetConfig(text)));
                }
            }
            case FrontendMessageType.EXECUTE -> {
                String portal = MessageFields.cString(bytes, index, end);
                long start = statementStart != 0 ? statementStart : System.nanoTime();
                statementStart = 0;
                openRequest().executions.add(new Execution(portal == null ? null : portals.get(portal), start));
            }
            case FrontendMessageType.CLOSE -> {
                if (length < 2) {
                    return;
                }
                String name = MessageFields.cString(bytes, index + 1, end);
                if (bytes.getByte(index) == NamedObject.STATEMENT) {
                    statements.remove(name);
                } else {
                    portals.remove(name);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void clientMessageStart(byte type, ByteBuf bytes, int index, int length) {
        if (type == FrontendMessageType.BIND && !currentWhole) {
            bind(bytes, index, length, false);
        }
    }

    private void bind(ByteBuf bytes, int index, int length, boolean withValues) {
        int end = index + length;
        int portalEnd = MessageFields.zero(bytes, index, end);
        int statementEnd = portalEnd < 0 ? -1 : MessageFields.zero(bytes, portalEnd + 1, end);
        if (statementEnd < 0) {
            // Names beyond the bytes read: an execution of it is not recognised.
            portals.remove("");
            return;
        }
        String portal = bytes.toString(index, portalEnd - index, StandardCharsets.UTF_8);
        String statement = bytes.toString(portalEnd + 1, statementEnd - portalEnd - 1, StandardCharsets.UTF_8);
        byte[] body = null;
        if (withValues) {
            body = new byte[length];
            bytes.getBytes(index, body);
        }
        if (portals.size() >= MAX_NAMED_STATEMENTS && !portals.containsKey(portal)) {
            // Portals end with their transaction; names a client never closed would fill the table for good.
            portals.clear();
        }
        Prepared prepared = statements.get(statement);
        portals.put(portal, new Portal(statement, prepared == null ? null : prepared.text(),
                prepared == null || body == null ? null : prepared.parameterTypes(), body, bindSampled,
                prepared != null && prepared.callsSetConfig()));
    }

    // ---- the answers ---------------------------------------------------------------------------------------------

    @Override
    public boolean answerHeader(byte type) {
        switch (type) {
            case BackendMessageType.COMMAND_COMPLETE, BackendMessageType.ERROR_RESPONSE,
                    BackendMessageType.READY_FOR_QUERY -> {
                return true;
            }
            case BackendMessageType.EMPTY_QUERY_RESPONSE -> {
                // An empty statement: answered, never a statement of its own.
                Request head = requests.peekFirst();
                if (head != null && !head.simple) {
                    head.executions.poll();
                }
            }
            case BackendMessageType.PORTAL_SUSPENDED -> {
                // The portal runs on at the next Execute, whose completion is the statement's.
                Request head = requests.peekFirst();
                if (head != null) {
                    head.executions.poll();
                }
            }
            default -> {
            }
        }
        return false;
    }

    @Override
    public void answer(byte type, ByteBuf bytes, int index, int length) {
        switch (type) {
            case BackendMessageType.COMMAND_COMPLETE ->
                    completed(MessageFields.cString(bytes, index, index + length), null);
            case BackendMessageType.ERROR_RESPONSE ->
                    completed(null, MessageFields.errorCode(bytes, index, index + length));
            case BackendMessageType.READY_FOR_QUERY -> readyForQuery(length > 0 ? TransactionStatus.of(bytes.getByte(index)) : TransactionStatus.IDLE);
            default -> {
            }
        }
    }

    private void completed(String tag, String sqlstate) {
        Request head = requests.peekFirst();
        if (head == null) {
            return;
        }
        // The transaction is followed for every statement, captured or not.
        TransactionBoundary boundary = transactions.completed(tag);
        long transaction = transactions.transaction();
        // The settings the statement ran under: before its own change, if it makes one.
        Map<String, String> settingsNow = settingsFollower.current();
        settingsFollower.completed(tag);
        CapturedStatement statement = null;
        if (head.simple) {
            int statementIndex = head.answered++;
            if (head.sampled && head.text != null) {
                long now = System.nanoTime();
                long start = statementIndex == 0 ? head.startNanos : head.lastAnswerNanos;
                head.lastAnswerNanos = now;
                statement = new CapturedStatement(start, sessionId, transaction, boundary, Protocol.SIMPLE, head.text,
                        statementIndex, null, null, null, now - start, -1, tag, sqlstate, settingsNow);
            }
            if (head.text != null && changesSettings(tag, head.callsSetConfig)) {
                followSettings(SqlStatements.statement(head.text, statementIndex), boundary);
            }
        } else {
            Execution execution = head.executions.poll();
            if (execution != null && execution.portal() != null && execution.portal().sampled()) {
                Portal portal = execution.portal();
                if (portal.text() == null) {
                    buffer.drop(DropReason.UNKNOWN_STATEMENT);
                } else {
                    long now = System.nanoTime();
                    statement = new CapturedStatement(execution.startNanos(), sessionId, transaction, boundary,
                            Protocol.EXTENDED, portal.text(), 0, portal.statementName(), portal.bindBody(),
                            portal.parameterTypes(),
                            now - execution.startNanos(), -1, tag, sqlstate, settingsNow);
                }
            } else if (execution != null && execution.portal() == null) {
                buffer.drop(DropReason.UNKNOWN_STATEMENT);
            }
            if (execution != null && execution.portal() != null && execution.portal().text() != null
                    && changesSettings(tag, execution.portal().callsSetConfig())) {
                followSettings(execution.portal().text(), boundary);
            }
        }
        if (statement != null) {
            head.held.add(statement);
            if (head.held.size() > MAX_HELD) {
                head.held.forEach(buffer::offer);
                head.held.clear();
            }
        }
    }

    private void readyForQuery(TransactionStatus status) {
        Request head;
        while ((head = requests.poll()) != null) {
            boolean last = head.endsWithReady;
            if (last && transactions.endedWhileStillOpen(status)) {
                // Still in a transaction after a ROLLBACK or COMMIT tag: a ROLLBACK TO SAVEPOINT, or a COMMIT that
                // did not end it. The statement stays inside the transaction.
                reopen(head);
            }
            finish(head);
            if (last) {
                break;
            }
        }
        if (open != null && !requests.contains(open)) {
            open = null;
        }
        transactions.readyForQuery(status);
        settingsFollower.readyForQuery(status.inBlock());
    }

    private void reopen(Request request) {
        for (int i = request.held.size() - 1; i >= 0; i--) {
            CapturedStatement statement = request.held.get(i);
            if (statement.boundary() == TransactionBoundary.ROLLBACK
                    || statement.boundary() == TransactionBoundary.COMMIT) {
                request.held.set(i, new CapturedStatement(statement.startNanos(), statement.sessionId(),
                        statement.transactionId(), TransactionBoundary.INSIDE, statement.protocol(), statement.text(),
                        statement.statementIndex(), statement.preparedName(), statement.bindBody(),
                        statement.parameterTypes(), statement.sourceNanos(), statement.targetNanos(), statement.tag(),
                        statement.sqlstate(), statement.settings()));
                return;
            }
        }
    }

    private void finish(Request request) {
        List<CapturedStatement> held = request.held;
        if (held.size() == 1 && (request.sourceNanos >= 0 || request.targetNanos >= 0)) {
            // Dual-write: a request of one statement gets each leg's own time for it.
            buffer.offer(held.get(0).withLegs(request.sourceNanos, request.targetNanos));
            return;
        }
        for (CapturedStatement statement : held) {
            buffer.offer(statement);
        }
    }

    @Override
    public void legAnswered(boolean target, long nanos) {
        Request head = requests.peekFirst();
        if (head == null) {
            return;
        }
        if (target) {
            head.targetNanos = Math.max(head.targetNanos, 0) + nanos;
        } else {
            head.sourceNanos = Math.max(head.sourceNanos, 0) + nanos;
        }
    }

    @Override
    public void closed() {
        requests.clear();
        open = null;
    }

    @Override
    public void handedOff() {
        closed();
        handOff.accept(settingsFollower);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Whether a statement that completed with this tag may have changed a setting (null: it failed, and did not). */
    private static boolean changesSettings(String tag, boolean callsSetConfig) {
        return tag != null && (tag.equals("SET") || tag.equals("RESET") || tag.equals("DISCARD ALL")
                || callsSetConfig && tag.startsWith("SELECT"));
    }

    private void followSettings(String statement, TransactionBoundary boundary) {
        if (statement != null) {
            settingsFollower.changed(SettingStatement.changes(statement), boundary == TransactionBoundary.INSIDE);
        }
    }

    /** A Parse's parameter types after its text (count, then OIDs); null when the body ends short of them. */
    private static long[] parameterTypes(ByteBuf bytes, int from, int end) {
        if (from < 0 || from + 2 > end) {
            return null;
        }
        int count = bytes.getUnsignedShort(from);
        if (count == 0 || from + 2 + 4L * count > end) {
            return null;
        }
        long[] types = new long[count];
        for (int i = 0; i < count; i++) {
            types[i] = bytes.getUnsignedInt(from + 2 + 4 * i);
        }
        return types;
    }

    private Request openRequest() {
        if (open == null) {
            open = new Request(false, false);
            requests.add(open);
        }
        return open;
    }

    /** A Query or FunctionCall after extended-protocol messages without a Sync: they are answered before it. */
    private void endOpenWithoutSync() {
        open = null;
        statementStart = 0;
    }

    private void markStatementStart() {
        if (statementStart == 0) {
            statementStart = System.nanoTime();
        }
    }

    private boolean sampled() {
        double rate = settings.sampleRate();
        if (rate >= 1 || (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate)) {
            return true;
        }
        buffer.drop(DropReason.NOT_SAMPLED);
        return false;
    }

    private boolean wantsValues() {
        return switch (settings.parameters()) {
            case OFF -> false;
            case ALL -> true;
            case SAMPLED -> ThreadLocalRandom.current().nextDouble() < settings.parameterSampleRate();
        };
    }
}
