package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.capture.ClientAnswers;
import io.exodus.proxy.metrics.RelayMetrics;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.function.BooleanSupplier;

/**
 * What a dual-write session sends its client: the answers are gathered and written once per chunk the primary sent
 * (or once per request), and a request Exodus carries out in several steps can hold them back until it has its one
 * answer. A client slower than the primary holds the primary back, as it would directly.
 */
final class ClientReply {
    private final NetSocket client;
    private final Leg primary;
    private final RelayMetrics metrics;
    private final ClientAnswers captured;
    private final BooleanSupplier sessionClosed;
    private Buffer outbound = Buffer.buffer(512);
    /** Set while a request carried out in several steps collects its one answer (see {@link #hold}). */
    private boolean holding;
    /** The primary's FATAL error (its reason to end the session) reached the client already. */
    private boolean fatalForwarded;
    /** The primary's socket is not read until the client has taken what it was sent. */
    private boolean primaryPaused;
    /** The primary's answers as they are, to the client: a read's rows in runs, without a message object per row. */
    private final Leg.Sink primaryAnswers = new Leg.Sink() {
        @Override
        public void accept(PgMessage message) {
            add(message);
        }

        @Override
        public boolean takesRuns() {
            return true;
        }

        @Override
        public void acceptRun(Buffer framedDataRows) {
            add(framedDataRows);
        }
    };

    ClientReply(NetSocket client, Leg primary, RelayMetrics metrics, ClientAnswers captured,
            BooleanSupplier sessionClosed) {
        this.client = client;
        this.primary = primary;
        this.metrics = metrics;
        this.captured = captured;
        this.sessionClosed = sessionClosed;
    }

    /** The sink that passes the primary's answers to the client as they are. */
    Leg.Sink primaryAnswers() {
        return primaryAnswers;
    }

    /**
     * For a statement Exodus sends the primary in the client's stead (its COMMIT, a PREPARE TRANSACTION) and answers
     * itself: the answer is dropped but for the notices, which the client gets as it would directly (a deferred
     * trigger's RAISE NOTICE at COMMIT, a WARNING), and what the server says unasked (the session's own NOTIFY,
     * delivered at its commit; a setting's new value).
     */
    Leg.Sink noticesOnly() {
        return message -> {
            if (message.type() == BackendMessageType.NOTICE_RESPONSE
                    || message.type() == BackendMessageType.NOTIFICATION_RESPONSE
                    || message.type() == BackendMessageType.PARAMETER_STATUS) {
                add(message);
            }
        };
    }

    void add(PgMessage message) {
        if (message.type() == BackendMessageType.ERROR_RESPONSE) {
            if (metrics.countsBackendErrors()) {
                metrics.backendError(message.body());
            }
            fatalForwarded |= message == primary.lastFatal();
        }
        SecondaryRequests.appendFramed(outbound, message);
    }

    void add(Buffer framedMessages) {
        outbound.appendBuffer(framedMessages);
    }

    /** Whether the primary's last FATAL error went to the client already. */
    boolean fatalForwarded() {
        return fatalForwarded;
    }

    /** Writes what was gathered, unless it is held or the session closed. */
    void flush() {
        if (outbound.length() > 0 && !sessionClosed.getAsBoolean() && !holding) {
            Buffer bytes = outbound;
            outbound = Buffer.buffer(512);
            metrics.forwardedToClient(bytes.length());
            captured.written(bytes);
            client.write(bytes);
            if (!primaryPaused && client.writeQueueFull()) {
                // A client slower than the primary (a large result read slowly): the primary waits, as it would
                // for the client directly, instead of Exodus holding the whole result in memory.
                primaryPaused = true;
                primary.pauseReading();
            }
        }
    }

    /** The client took what it was sent: a primary held back for it is read again. */
    void clientDrained() {
        if (primaryPaused) {
            primaryPaused = false;
            primary.resumeReading();
        }
    }

    /**
     * Keeps what goes to the client from here on until {@link #release}: a request that Exodus carries out in several
     * steps answers once. Returns where the held reply starts.
     */
    int hold() {
        holding = true;
        return outbound.length();
    }

    boolean holding() {
        return holding;
    }

    /** A copy of the held reply from {@code from} on. */
    Buffer from(int from) {
        return outbound.getBuffer(from, outbound.length());
    }

    int length() {
        return outbound.length();
    }

    /** Drops what was added to the held reply after {@code length} (answers the client must not see). */
    void truncate(int length) {
        if (outbound.length() > length) {
            outbound = outbound.getBuffer(0, length);
        }
    }

    /** Whether the held reply, from {@code from} on, holds an ErrorResponse. */
    boolean failedFrom(int from) {
        return ReplySynthesizer.containsError(outbound, from);
    }

    /** Lets the held reply go, its ReadyForQuery saying {@code status}. */
    void release(TransactionStatus status) {
        holding = false;
        ReplySynthesizer.setFinalStatus(outbound, status);
    }
}
