package io.exodus.proxy.metrics;

import io.exodus.proxy.wire.FrontendMessageType;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Times the requests of one session and counts its bytes and backend errors. A request is a Query, everything up to
 * a Sync, or a FunctionCall; it is timed from the moment its last byte has been written to the backend until the
 * backend's ReadyForQuery for it goes by. Pipelined requests are answered in order, so they wait in a FIFO.
 * <p>
 * The client stream is walked by offsets: each header says where its message ends ({@link #announced}), each
 * forwarded chunk moves {@link #forwarded}; a request whose end offset has been forwarded is stamped with one
 * System.nanoTime per chunk. Primitive arrays, no allocation unless the FIFO has to grow.
 * <p>
 * Each request is timed under its {@link StatementClass}, which a {@link RequestClassifier} tells from the first bytes
 * of the messages going by ({@link #clientMessageStart}): a Sync or FunctionCall gets it with its header, a Query
 * when its text's start has gone by, which is always before its last byte is forwarded.
 * <p>
 * Not thread-safe: called on the session's event loop only. The meters it feeds are shared and thread-safe.
 */
final class RequestTracker implements RelayMetrics {
    /** Beyond this many requests in flight, more are answered in order but not timed. */
    static final int MAX_TIMED_IN_FLIGHT = 4096;
    private static final int INITIAL_CAPACITY = 8;

    private final RequestTimers timers;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final ErrorCounters backendErrors;
    private final Runnable onBackendClosed;
    private final RequestClassifier classifier = new RequestClassifier();

    private byte[] protocols = new byte[INITIAL_CAPACITY];
    private byte[] classes = new byte[INITIAL_CAPACITY];
    private long[] endOffsets = new long[INITIAL_CAPACITY];
    private long[] sentAt = new long[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    /** [head, stamped): fully forwarded, awaiting ReadyForQuery; [stamped, tail): not fully forwarded yet. */
    private int head;
    private int stamped;
    private int tail;
    /** Requests past {@link #MAX_TIMED_IN_FLIGHT}; they come after every request in the FIFO. */
    private int untimed;
    private long announced;
    private long forwarded;
    /** The last header was a Query's that took the slot at {@code tail - 1}, whose class its text will tell. */
    private boolean queryAwaitsClass;

    RequestTracker(RequestTimers timers, LongAdder bytesIn, LongAdder bytesOut, ErrorCounters backendErrors,
            Runnable onBackendClosed) {
        this.timers = timers;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.backendErrors = backendErrors;
        this.onBackendClosed = onBackendClosed;
    }

    @Override
    public void clientMessage(byte type, int length) {
        announced += 1L + length;
        queryAwaitsClass = false;
        int protocol = RequestProtocol.ordinalEndedBy(type);
        if (protocol < 0) {
            return;
        }
        boolean query = type == FrontendMessageType.QUERY;
        // A Sync or FunctionCall ends what the classifier read before it; a Query's class comes with its text.
        StatementClass statementClass = query ? StatementClass.OTHER : classifier.endRequest();
        if (untimed > 0 || tail - head == MAX_TIMED_IN_FLIGHT) {
            untimed++;
            return;
        }
        if (tail - head == protocols.length) {
            grow();
        }
        int slot = tail & mask;
        protocols[slot] = (byte) protocol;
        classes[slot] = (byte) statementClass.ordinal();
        endOffsets[slot] = announced;
        tail++;
        queryAwaitsClass = query;
    }

    @Override
    public boolean classifiesStatements() {
        return true;
    }

    @Override
    public void clientMessageStart(byte type, ByteBuf bytes, int index, int length) {
        classifier.read(type, bytes, index, length);
        if (type == FrontendMessageType.QUERY) {
            StatementClass statementClass = classifier.endRequest();
            if (queryAwaitsClass) {
                classes[(tail - 1) & mask] = (byte) statementClass.ordinal();
                queryAwaitsClass = false;
            }
        }
    }

    @Override
    public void forwardedToBackend(int bytes) {
        bytesIn.add(bytes);
        forwarded += bytes;
        if (stamped != tail && endOffsets[stamped & mask] <= forwarded) {
            long now = System.nanoTime();
            do {
                sentAt[stamped & mask] = now;
                stamped++;
            } while (stamped != tail && endOffsets[stamped & mask] <= forwarded);
        }
    }

    @Override
    public void forwardedToClient(int bytes) {
        bytesOut.add(bytes);
    }

    @Override
    public void readyForQuery() {
        if (head != stamped) {
            int slot = head & mask;
            head++;
            timers.timer(protocols[slot], classes[slot])
                    .record(System.nanoTime() - sentAt[slot], TimeUnit.NANOSECONDS);
        } else if (head == tail && untimed > 0) {
            untimed--;
        }
        // else: a ReadyForQuery nobody asked for (none is known); nothing to time.
    }

    @Override
    public boolean countsBackendErrors() {
        return true;
    }

    @Override
    public void backendError(Buffer body) {
        backendErrors.increment(SqlStateClass.ofErrorBody(body));
    }

    @Override
    public void backendClosed() {
        onBackendClosed.run();
    }

    /** Requests sent or being sent whose ReadyForQuery has not come back; for tests. */
    int inFlight() {
        return tail - head + untimed;
    }

    private void grow() {
        int size = tail - head;
        int capacity = protocols.length * 2;
        byte[] newProtocols = new byte[capacity];
        byte[] newClasses = new byte[capacity];
        long[] newEndOffsets = new long[capacity];
        long[] newSentAt = new long[capacity];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) & mask;
            newProtocols[i] = protocols[slot];
            newClasses[i] = classes[slot];
            newEndOffsets[i] = endOffsets[slot];
            newSentAt[i] = sentAt[slot];
        }
        stamped -= head;
        tail = size;
        head = 0;
        protocols = newProtocols;
        classes = newClasses;
        endOffsets = newEndOffsets;
        sentAt = newSentAt;
        mask = capacity - 1;
    }
}
