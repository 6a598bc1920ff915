package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageAssemblerTest {

    private static Buffer message(char type, String body) {
        return Buffer.buffer().appendByte((byte) type).appendInt(body.length() + 4).appendString(body);
    }

    @Test
    void messagesCutAnywhereComeOutWholeAndKeepTheirBytesAfterLaterChunks() {
        Buffer stream = Buffer.buffer();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String body = "row " + i + " " + "x".repeat(i * 7);
            sent.add(body);
            stream.appendBuffer(message('D', body));
        }
        for (int cut = 1; cut <= 97; cut += 6) {
            MessageAssembler assembler = new MessageAssembler(1 << 20);
            List<PgMessage> received = new ArrayList<>();
            for (int at = 0; at < stream.length(); at += cut) {
                assembler.append(stream.getBuffer(at, Math.min(stream.length(), at + cut)));
                PgMessage next;
                while ((next = assembler.nextTyped()) != null) {
                    received.add(next);
                }
            }
            List<String> bodies = new ArrayList<>();
            // Read only now: every body is still what was sent though chunks arrived after it was handed out.
            received.forEach(m -> bodies.add(m.body().toString()));
            assertEquals(sent, bodies, "chunks of " + cut);
            assertEquals(0, assembler.buffered());
        }
    }

    @Test
    void aRunOfOneTypeComesAsOneSliceUpToTheFirstOtherOrIncompleteMessage() {
        MessageAssembler assembler = new MessageAssembler(1 << 20);
        Buffer rows = message('D', "a").appendBuffer(message('D', "bb"));
        Buffer tail = message('C', "SELECT 2");
        assembler.append(rows.copy().appendBuffer(tail).appendBuffer(message('D', "cut").getBuffer(0, 6)));
        assertEquals(rows, assembler.nextRunOf((byte) 'D'));
        assertNull(assembler.nextRunOf((byte) 'D'), "a CommandComplete is next");
        assertEquals("SELECT 2", assembler.nextTyped().body().toString());
        assertNull(assembler.nextRunOf((byte) 'D'), "the next DataRow is not complete");
        assertEquals(6, assembler.buffered());
    }

    @Test
    void impossibleLengthsAreViolations() {
        MessageAssembler assembler = new MessageAssembler(100);
        assembler.append(Buffer.buffer().appendByte((byte) 'Q').appendInt(2));
        assertThrows(ProtocolViolation.class, assembler::nextTyped);
        MessageAssembler small = new MessageAssembler(100);
        small.append(Buffer.buffer().appendByte((byte) 'Q').appendInt(1000));
        assertThrows(ProtocolViolation.class, small::nextTyped);
    }
}
