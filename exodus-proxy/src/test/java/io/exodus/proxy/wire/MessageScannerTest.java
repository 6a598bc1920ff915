package io.exodus.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class MessageScannerTest {

    private final List<String> seen = new ArrayList<>();

    private final MessageScanner.Listener listener = new MessageScanner.Listener() {
        @Override
        public void onHeader(byte type, int length) {
            if (type == '!') {
                throw ProtocolViolation.of("bad type");
            }
            seen.add((char) type + ":" + length);
        }

        @Override
        public void onBody(byte type, Buffer body) {
            seen.add((char) type + "=" + body.toString());
        }

        @Override
        public void onBodyStart(byte type, ByteBuf bytes, int index, int length) {
            int readerIndex = bytes.readerIndex();
            seen.add((char) type + "<" + bytes.toString(index, length, StandardCharsets.UTF_8) + ">");
            assertEquals(readerIndex, bytes.readerIndex());
        }
    };

    private final MessageScanner scanner = new MessageScanner(listener).capture((byte) 'Z');

    /** Peeks at the first 8 bytes of Query bodies and the first 4 of Parse bodies. */
    private final MessageScanner peeking = new MessageScanner(listener).peek((byte) 'Q', 8).peek((byte) 'P', 4)
            .capture((byte) 'Z');

    private static Buffer message(char type, String body) {
        return MessageWriter.message((byte) type, Buffer.buffer(body));
    }

    @Test
    void readsEveryHeaderOfAChunkOfWholeMessages() {
        Buffer chunk = Buffer.buffer().appendBuffer(message('Q', "select 1\0")).appendBuffer(message('Z', "I"));
        assertEquals(chunk.length(), scanner.scan(chunk));
        assertEquals(List.of("Q:13", "Z:5", "Z=I"), seen);
    }

    @Test
    void readsHeadersAndCapturedBodiesSplitAtEveryByte() {
        Buffer stream = Buffer.buffer().appendBuffer(message('D', "row-data")).appendBuffer(message('Z', "T"))
                .appendBuffer(message('C', "SELECT 1\0"));
        for (int i = 0; i < stream.length(); i++) {
            assertEquals(1, scanner.scan(stream.getBuffer(i, i + 1)));
        }
        assertEquals(List.of("D:12", "Z:5", "Z=T", "C:13"), seen);
    }

    @Test
    void stopsBeforeTheMessageTheListenerRejects() {
        Buffer good = message('Q', "x\0");
        Buffer chunk = Buffer.buffer().appendBuffer(good).appendBuffer(message('!', "")).appendBuffer(good);
        assertEquals(good.length(), scanner.scan(chunk));
        assertNotNull(scanner.failure());
        assertEquals("bad type", scanner.failure().getMessage());
    }

    @Test
    void rejectsALengthShorterThanItsOwnWord() {
        Buffer chunk = Buffer.buffer().appendByte((byte) 'Q').appendInt(3);
        assertEquals(0, scanner.scan(chunk));
        assertEquals(SqlState.PROTOCOL_VIOLATION, scanner.failure().sqlState());
    }

    @Test
    void emptyBodiesAreWholeMessages() {
        Buffer sync = Buffer.buffer().appendByte((byte) 'S').appendInt(4);
        assertEquals(10, scanner.scan(sync.copy().appendBuffer(sync)));
        assertNull(scanner.failure());
        assertEquals(List.of("S:4", "S:4"), seen);
    }

    @Test
    void thePeekedStartOfABodyComesAfterItsHeaderAndTheRestIsNotHeld() {
        Buffer chunk = Buffer.buffer().appendBuffer(message('Q', "select * from t\0"))
                .appendBuffer(message('P', "S_1\0select 1\0\0\0")).appendBuffer(message('S', ""));
        assertEquals(chunk.length(), peeking.scan(chunk));
        assertEquals(List.of("Q:20", "Q<select *>", "P:19", "P<S_1\0>", "S:4"), seen);
    }

    @Test
    void aStartSplitAcrossChunksIsPutTogether() {
        Buffer stream = Buffer.buffer().appendBuffer(message('Q', "select 1\0")).appendBuffer(message('Z', "I"))
                .appendBuffer(message('Q', "insert into t values (1)\0"));
        for (int i = 0; i < stream.length(); i++) {
            assertEquals(1, peeking.scan(stream.getBuffer(i, i + 1)));
        }
        assertEquals(List.of("Q:13", "Q<select 1>", "Z:5", "Z=I", "Q:29", "Q<insert i>"), seen);
    }

    @Test
    void aBodyShorterThanThePeekIsPeekedWhole() {
        Buffer chunk = Buffer.buffer().appendBuffer(message('Q', "x\0")).appendBuffer(message('Q', ""));
        assertEquals(chunk.length(), peeking.scan(chunk));
        assertEquals(List.of("Q:6", "Q<x\0>", "Q:4", "Q<>"), seen);
    }

    @Test
    void aRejectedMessageIsNotPeekedAt() {
        peeking.peek((byte) '!', 8);
        Buffer chunk = Buffer.buffer().appendBuffer(message('!', "select 1\0"));
        assertEquals(0, peeking.scan(chunk));
        assertEquals(List.of(), seen);
    }
}
