package io.exodus.proxy.catchup;

import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.MessageAssembler;
import io.exodus.proxy.wire.MessageReader;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One entry of the queue as the replayer reads it. */
record QueuedTransaction(long id, String role, String context, byte[] stream, int readyCount,
        List<String> expectedTags, Long commitMarker, byte[] signature, int attempts, List<String> tables,
        double waitSeconds) {

    static QueuedTransaction of(Row row) {
        String[] tags = row.getArrayOfStrings(5);
        return new QueuedTransaction(row.getLong(0), row.getString(1), row.getString(2),
                row.getBuffer(3).getBytes(), row.getInteger(4), tags == null ? List.of() : Arrays.asList(tags),
                row.getLong(6), row.getBuffer(7) == null ? null : row.getBuffer(7).getBytes(), row.getInteger(8),
                row.getArrayOfStrings(9) == null ? List.of() : Arrays.asList(row.getArrayOfStrings(9)),
                row.getNumeric(10) == null ? 0 : row.getNumeric(10).doubleValue());
    }

    /**
     * The statement texts the entry runs (simple queries and parsed statements), each cut to {@code maxLength}, for
     * the log line that says why it is parked.
     */
    List<String> statementTexts(int maxLength) {
        List<String> texts = new ArrayList<>();
        MessageAssembler frames = new MessageAssembler(Integer.MAX_VALUE);
        frames.append(Buffer.buffer(stream));
        PgMessage message;
        while ((message = frames.nextTyped()) != null) {
            if (message.type() == FrontendMessageType.QUERY || message.type() == FrontendMessageType.PARSE) {
                MessageReader body = new MessageReader(message.body());
                if (message.type() == FrontendMessageType.PARSE) {
                    body.readCString();
                }
                String text = body.readCString().strip().replaceAll("\\s+", " ");
                texts.add(text.length() > maxLength ? text.substring(0, maxLength) + "…" : text);
            }
        }
        return texts;
    }
}
