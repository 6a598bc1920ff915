package io.exodus.proxy.metrics;

import io.exodus.proxy.wire.ErrorResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FIFO of requests in flight, driven as the relay drives it: headers, the starts of bodies it peeks at, forwarded
 * chunks, ReadyForQuery.
 */
class RequestTrackerTest {
    private MeterRegistry registry;
    private LongAdder bytesIn;
    private LongAdder bytesOut;
    private AtomicInteger backendsClosed;
    private RequestTracker tracker;

    @BeforeEach
    void newTracker() {
        registry = new SimpleMeterRegistry();
        bytesIn = new LongAdder();
        bytesOut = new LongAdder();
        backendsClosed = new AtomicInteger();
        tracker = new RequestTracker(new RequestTimers(registry, ExodusMeters.ENDPOINT_SOURCE), bytesIn, bytesOut,
                new ErrorCounters(registry, ErrorOrigin.BACKEND),
                backendsClosed::incrementAndGet);
    }

    private Collection<Timer> timers(RequestProtocol protocol) {
        return registry.find(ExodusMeters.REQUESTS).tag(ExodusMeters.TAG_PROTOCOL, protocol.tagValue()).timers();
    }

    private long count(RequestProtocol protocol) {
        return timers(protocol).stream().mapToLong(Timer::count).sum();
    }

    private long count(RequestProtocol protocol, StatementClass statementClass) {
        Timer timer = registry.find(ExodusMeters.REQUESTS).tag(ExodusMeters.TAG_PROTOCOL, protocol.tagValue())
                .tag(ExodusMeters.TAG_STATEMENT_CLASS, statementClass.tagValue()).timer();
        return timer == null ? 0 : timer.count();
    }

    /** Header of a message with a body of {@code bodyLength} bytes; returns the bytes the whole message takes. */
    private int message(char type, int bodyLength) {
        tracker.clientMessage((byte) type, bodyLength + 4);
        return 5 + bodyLength;
    }

    /** Header and, as the relay peeks at it, the start of the body; returns the bytes the whole message takes. */
    private int message(char type, byte[] body) {
        tracker.clientMessage((byte) type, body.length + 4);
        int wanted = Math.min(body.length, RequestClassifier.bytesWanted((byte) type));
        if (RequestClassifier.bytesWanted((byte) type) > 0) {
            tracker.clientMessageStart((byte) type, Unpooled.wrappedBuffer(body), 0, wanted);
        }
        return 5 + body.length;
    }

    private int query(String sql) {
        return message('Q', RequestClassifierTest.cString(sql));
    }

    @Test
    void pipelinedQueriesAreAnsweredInOrder() {
        int bytes = message('Q', 20) + message('Q', 30) + message('F', 12);
        tracker.forwardedToBackend(bytes);
        assertEquals(3, tracker.inFlight());
        tracker.readyForQuery();
        tracker.readyForQuery();
        assertEquals(2, count(RequestProtocol.SIMPLE));
        assertEquals(0, count(RequestProtocol.FUNCTION));
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.FUNCTION));
        assertEquals(0, tracker.inFlight());
    }

    @Test
    void anExtendedBatchIsOneRequestThatEndsWithSync() {
        int bytes = message('P', 30) + message('B', 14) + message('D', 2) + message('E', 5) + message('S', 0);
        tracker.forwardedToBackend(bytes);
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.EXTENDED));
        assertEquals(0, count(RequestProtocol.SIMPLE));
    }

    @Test
    void aRequestIsTimedFromTheChunkThatCarriesItsLastByte() throws InterruptedException {
        int bytes = message('Q', 1000);
        tracker.forwardedToBackend(600);
        tracker.readyForQuery(); // no request has been sent whole: nothing to answer
        assertEquals(0, count(RequestProtocol.SIMPLE));
        Thread.sleep(20);
        tracker.forwardedToBackend(bytes - 600);
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.SIMPLE));
        double millis = timers(RequestProtocol.SIMPLE).stream().mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS))
                .sum();
        assertTrue(millis < 20, "timed from the last chunk, not the first: " + millis + " ms");
    }

    @Test
    void readyForQueryWithNothingInFlightIsIgnored() {
        tracker.readyForQuery();
        tracker.forwardedToBackend(message('Q', 8));
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.SIMPLE));
    }

    @Test
    void theQueueGrowsAndKeepsItsOrder() {
        int bytes = 0;
        for (int i = 0; i < 50; i++) {
            bytes += message('Q', 10);
        }
        for (int i = 0; i < 50; i++) {
            bytes += message('S', 0);
        }
        tracker.forwardedToBackend(bytes);
        for (int i = 0; i < 50; i++) {
            tracker.readyForQuery();
        }
        assertEquals(50, count(RequestProtocol.SIMPLE));
        assertEquals(0, count(RequestProtocol.EXTENDED));
        for (int i = 0; i < 50; i++) {
            tracker.readyForQuery();
        }
        assertEquals(50, count(RequestProtocol.EXTENDED));
    }

    @Test
    void requestsBeyondTheLimitAreAnsweredInTurnButNotTimed() {
        int extra = 3;
        int bytes = 0;
        for (int i = 0; i < RequestTracker.MAX_TIMED_IN_FLIGHT + extra; i++) {
            bytes += message('Q', 10);
        }
        tracker.forwardedToBackend(bytes);
        assertEquals(RequestTracker.MAX_TIMED_IN_FLIGHT + extra, tracker.inFlight());
        for (int i = 0; i < RequestTracker.MAX_TIMED_IN_FLIGHT + extra; i++) {
            tracker.readyForQuery();
        }
        assertEquals(RequestTracker.MAX_TIMED_IN_FLIGHT, count(RequestProtocol.SIMPLE));
        assertEquals(0, tracker.inFlight());
        tracker.forwardedToBackend(message('Q', 10));
        tracker.readyForQuery();
        assertEquals(RequestTracker.MAX_TIMED_IN_FLIGHT + 1, count(RequestProtocol.SIMPLE), "timed again");
    }

    @Test
    void bytesAreCountedPerDirection() {
        tracker.forwardedToBackend(100);
        tracker.forwardedToBackend(23);
        tracker.forwardedToClient(4000);
        assertEquals(123, bytesIn.sum());
        assertEquals(4000, bytesOut.sum());
    }

    @Test
    void backendErrorsAreCountedByTheirSqlStateClass() {
        Buffer message = ErrorResponse.error("22012", "division by zero").encode();
        tracker.backendError(message.slice(5, message.length()));
        tracker.backendError(message.slice(5, message.length()));
        assertEquals(2, registry.get(ExodusMeters.ERRORS).tag(ExodusMeters.TAG_ORIGIN, "backend")
                .tag(ExodusMeters.TAG_SQLSTATE_CLASS, "22").counter().count());
    }

    @Test
    void closingTheBackendIsReported() {
        tracker.backendClosed();
        assertEquals(1, backendsClosed.get());
    }

    @Test
    void eachRequestIsTimedUnderItsStatementClass() {
        int bytes = query("insert into t values (1)") + query("select 1")
                + message('P', RequestClassifierTest.parse("", "select * from t where id = $1"))
                + message('B', RequestClassifierTest.bind("", "")) + message('D', 2)
                + message('E', RequestClassifierTest.execute("")) + message('S', 0) + message('F', 12);
        tracker.forwardedToBackend(bytes);
        for (int i = 0; i < 4; i++) {
            tracker.readyForQuery();
        }
        assertEquals(1, count(RequestProtocol.SIMPLE, StatementClass.WRITE));
        assertEquals(1, count(RequestProtocol.SIMPLE, StatementClass.READ));
        assertEquals(1, count(RequestProtocol.EXTENDED, StatementClass.READ));
        assertEquals(1, count(RequestProtocol.FUNCTION, StatementClass.OTHER));
        assertEquals(4, registry.find(ExodusMeters.REQUESTS).timers().size(), "a series per combination used only");
    }

    @Test
    void aNamedStatementKeepsItsClassInLaterRequests() {
        int bytes = message('P', RequestClassifierTest.parse("S_1", "update t set a = $1")) + message('S', 0);
        for (int i = 0; i < 3; i++) {
            bytes += message('B', RequestClassifierTest.bind("", "S_1"))
                    + message('E', RequestClassifierTest.execute("")) + message('S', 0);
        }
        tracker.forwardedToBackend(bytes);
        for (int i = 0; i < 4; i++) {
            tracker.readyForQuery();
        }
        assertEquals(4, count(RequestProtocol.EXTENDED, StatementClass.WRITE));
    }

    @Test
    void classesKeepTheirRequestsWhenTheQueueGrows() {
        int bytes = 0;
        for (int i = 0; i < 50; i++) {
            bytes += query(i % 5 == 0 ? "begin" : "select " + i);
        }
        tracker.forwardedToBackend(bytes);
        for (int i = 0; i < 50; i++) {
            tracker.readyForQuery();
        }
        assertEquals(10, count(RequestProtocol.SIMPLE, StatementClass.TRANSACTION));
        assertEquals(40, count(RequestProtocol.SIMPLE, StatementClass.READ));
    }

    @Test
    void aQueryBeyondTheTimedLimitIsClassifiedButNotTimed() {
        int bytes = 0;
        for (int i = 0; i < RequestTracker.MAX_TIMED_IN_FLIGHT; i++) {
            bytes += query("select 1");
        }
        bytes += query("delete from t");
        tracker.forwardedToBackend(bytes);
        for (int i = 0; i <= RequestTracker.MAX_TIMED_IN_FLIGHT; i++) {
            tracker.readyForQuery();
        }
        assertEquals(RequestTracker.MAX_TIMED_IN_FLIGHT, count(RequestProtocol.SIMPLE, StatementClass.READ));
        assertEquals(0, count(RequestProtocol.SIMPLE, StatementClass.WRITE));
        tracker.forwardedToBackend(query("delete from t"));
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.SIMPLE, StatementClass.WRITE));
    }

    @Test
    void requestsWhoseStartWasNotSeenAreOther() {
        tracker.forwardedToBackend(message('Q', 20) + message('S', 0));
        tracker.readyForQuery();
        tracker.readyForQuery();
        assertEquals(1, count(RequestProtocol.SIMPLE, StatementClass.OTHER));
        assertEquals(1, count(RequestProtocol.EXTENDED, StatementClass.OTHER));
        assertTrue(tracker.classifiesStatements());
    }
}
