package io.exodus.proxy.metrics;

import io.exodus.proxy.protocol.ErrorResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FIFO of requests in flight, driven as the relay drives it: headers, forwarded chunks, ReadyForQuery. */
class RequestTrackerTest {
    private MeterRegistry registry;
    private Timer[] timers;
    private LongAdder bytesIn;
    private LongAdder bytesOut;
    private AtomicInteger backendsClosed;
    private RequestTracker tracker;

    @BeforeEach
    void newTracker() {
        registry = new SimpleMeterRegistry();
        timers = new Timer[RequestProtocol.values().length];
        for (RequestProtocol protocol : RequestProtocol.values()) {
            timers[protocol.ordinal()] = Timer.builder(ExodusMeters.REQUESTS)
                    .tag(ExodusMeters.TAG_PROTOCOL, protocol.tagValue()).register(registry);
        }
        bytesIn = new LongAdder();
        bytesOut = new LongAdder();
        backendsClosed = new AtomicInteger();
        tracker = new RequestTracker(new RequestTimers(timers), bytesIn, bytesOut,
                new ErrorCounters(registry, ErrorOrigin.BACKEND),
                backendsClosed::incrementAndGet);
    }

    private long count(RequestProtocol protocol) {
        return timers[protocol.ordinal()].count();
    }

    /** Header of a message with a body of {@code bodyLength} bytes; returns the bytes the whole message takes. */
    private int message(char type, int bodyLength) {
        tracker.clientMessage((byte) type, bodyLength + 4);
        return 5 + bodyLength;
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
        assertTrue(timers[0].totalTime(TimeUnit.MILLISECONDS) < 20,
                "timed from the last chunk, not the first: " + timers[0].totalTime(TimeUnit.MILLISECONDS) + " ms");
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
}
