package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the client sees of an answer with an added RETURNING, and what the row image keeps: no server. */
class PrimaryRowImageFilterTest {
    private static final PrimaryRowImageFilter.Expectation SYNC =
            PrimaryRowImageFilter.Expectation.of(PrimaryRowImageFilter.Expect.SYNC);

    private final List<PgMessage> client = new ArrayList<>();

    /** The client's INSERT returned nothing: it sees its CommandComplete alone, the image holds every row. */
    @Test
    void rowsTheClientDidNotAskForAreKeptForTheImageOnly() {
        PrimaryRowImageFilter filter = filter(new PrimaryRowImageFilter.Expectation(
                PrimaryRowImageFilter.Expect.EXECUTE_IMAGE, List.of()), 1 << 20);
        answer(filter, 2);
        assertEquals(List.of(BackendMessageType.COMMAND_COMPLETE, BackendMessageType.READY_FOR_QUERY), types());
        assertEquals(1, filter.captures().size());
        assertEquals(2, filter.captures().get(0).rows().size());
        assertEquals("2", text(filter.captures().get(0).rows().get(1).get(0)));
        assertEquals(List.of("id", "note"), names(filter.captures().get(0).description()));
        assertFalse(filter.overflowed());
    }

    /** The client named a column ({@code RETURNING id}): it gets that column only, the image every column. */
    @Test
    void theClientGetsTheColumnsItNamed() {
        PrimaryRowImageFilter filter = filter(new PrimaryRowImageFilter.Expectation(
                PrimaryRowImageFilter.Expect.EXECUTE_IMAGE, List.of("id")), 1 << 20);
        answer(filter, 1);
        assertEquals(BackendMessageType.ROW_DESCRIPTION, client.get(0).type());
        assertEquals(List.of("id"), names(RowDescription.decode(client.get(0).body())));
        assertEquals(List.of("1"), DataRow.decode(client.get(1).body()).stream().map(PrimaryRowImageFilterTest::text)
                .toList());
        assertEquals(2, filter.captures().get(0).rows().get(0).size());
    }

    /** The client asked for RETURNING * itself: it sees the primary's answer as it is. */
    @Test
    void aClientThatAskedForEveryColumnSeesTheAnswerAsItIs() {
        PrimaryRowImageFilter filter = filter(PrimaryRowImageFilter.Expectation.of(
                PrimaryRowImageFilter.Expect.EXECUTE_IMAGE_SHOWN), 1 << 20);
        answer(filter, 2);
        assertEquals(List.of(BackendMessageType.ROW_DESCRIPTION, BackendMessageType.DATA_ROW,
                BackendMessageType.DATA_ROW, BackendMessageType.COMMAND_COMPLETE, BackendMessageType.READY_FOR_QUERY),
                types());
        assertEquals(2, filter.captures().get(0).rows().size());
    }

    /** Past the bound, nothing is kept: the statement's text runs on the secondary instead. */
    @Test
    void rowsPastTheBoundAreNotKept() {
        PrimaryRowImageFilter filter = filter(new PrimaryRowImageFilter.Expectation(
                PrimaryRowImageFilter.Expect.EXECUTE_IMAGE, List.of()), 3 * CapturedRows.ROW_OVERHEAD);
        answer(filter, 5);
        assertTrue(filter.overflowed());
        assertEquals(List.of(BackendMessageType.COMMAND_COMPLETE, BackendMessageType.READY_FOR_QUERY), types(),
                "the client's answer is the same");
    }

    private PrimaryRowImageFilter filter(PrimaryRowImageFilter.Expectation execute, long maxBytes) {
        return new PrimaryRowImageFilter(client::add, List.of(execute, SYNC), maxBytes);
    }

    /** A simple Query's answer: RowDescription (id, note), the rows, CommandComplete and ReadyForQuery. */
    private static void answer(PrimaryRowImageFilter filter, int rows) {
        Buffer description = Buffer.buffer().appendShort((short) 2);
        for (String name : List.of("id", "note")) {
            MessageWriter.appendCString(description, name);
            description.appendInt(16384).appendShort((short) 1).appendInt(23).appendShort((short) 4).appendInt(-1)
                    .appendShort((short) 0);
        }
        filter.accept(new PgMessage(BackendMessageType.ROW_DESCRIPTION, description));
        for (int i = 1; i <= rows; i++) {
            byte[] id = String.valueOf(i).getBytes(StandardCharsets.UTF_8);
            byte[] note = ("row " + i).getBytes(StandardCharsets.UTF_8);
            filter.accept(new PgMessage(BackendMessageType.DATA_ROW, Buffer.buffer().appendShort((short) 2)
                    .appendInt(id.length).appendBytes(id).appendInt(note.length).appendBytes(note)));
        }
        Buffer tag = Buffer.buffer();
        MessageWriter.appendCString(tag, "INSERT 0 " + rows);
        filter.accept(new PgMessage(BackendMessageType.COMMAND_COMPLETE, tag));
        filter.accept(new PgMessage(BackendMessageType.READY_FOR_QUERY, Buffer.buffer().appendByte((byte) 'I')));
    }

    private List<Byte> types() {
        return client.stream().map(PgMessage::type).toList();
    }

    private static List<String> names(RowDescription description) {
        return description.fields().stream().map(RowDescription.Field::name).toList();
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
