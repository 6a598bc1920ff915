package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.RowDescription;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits between the primary and the client when INSERTs run with an added {@code RETURNING *}: the rows and their
 * description go to the row image for the secondary, and the client sees what its own statement returns: nothing,
 * the columns it named ({@code RETURNING id}), or everything if it asked for {@code RETURNING *} itself. The primary
 * answers requests in order, so each answer is matched to the request it belongs to through a queue of
 * {@link Expectation}s built from the request.
 */
final class PrimaryRowImageFilter implements Leg.Sink {

    /** What the primary will answer to one message of the request, in order. */
    enum Expect {
        OTHER, HIDDEN, DESCRIBE_REWRITTEN, DESCRIBE_FOR_IMAGE, EXECUTE_PLAIN, EXECUTE_IMAGE, EXECUTE_IMAGE_SHOWN, SYNC
    }

    /**
     * @param projection for DESCRIBE_REWRITTEN and EXECUTE_IMAGE: the columns the client named, empty when it named
     *                   none (it then sees no rows at all); {@link RowImageReturning#CLIENT_COLUMNS_END} alone when the
     *                   client's columns are those before that marker column, and the row image those after it
     */
    record Expectation(Expect kind, List<String> projection) {
        static Expectation of(Expect kind) {
            return new Expectation(kind, List.of());
        }

        boolean isImage() {
            return kind == Expect.EXECUTE_IMAGE || kind == Expect.EXECUTE_IMAGE_SHOWN;
        }
    }

    /** The rows one rewritten INSERT produced on the primary. */
    record Capture(RowDescription description, List<List<byte[]>> rows) {
    }

    private final Leg.Sink client;
    private final ArrayDeque<Expectation> expectations;
    private final List<Capture> captures = new ArrayList<>();
    /** Beyond this, rows are not kept: the secondary runs the statements' text instead. */
    private final long maxCapturedBytes;
    private long capturedBytes;
    private boolean overflowed;
    private RowDescription lastDescription;
    private int[] lastProjection;
    private CapturedRows currentRows;

    /**
     * @param maxCapturedBytes what the request's images may hold in memory, all together
     *                         ({@code exodus.migration.row-image-max-bytes})
     */
    PrimaryRowImageFilter(Leg.Sink client, List<Expectation> expectations, long maxCapturedBytes) {
        this.client = client;
        this.expectations = new ArrayDeque<>(expectations);
        this.maxCapturedBytes = maxCapturedBytes;
    }

    List<Capture> captures() {
        return captures;
    }

    /** Whether some rows could not be kept (too many, or fetched in steps): the captures are incomplete. */
    boolean overflowed() {
        return overflowed;
    }

    @Override
    public void accept(PgMessage message) {
        byte type = message.type();
        switch (type) {
            case BackendMessageType.NOTICE_RESPONSE, BackendMessageType.NOTIFICATION_RESPONSE,
                    BackendMessageType.PARAMETER_STATUS, BackendMessageType.PARAMETER_DESCRIPTION ->
                    client.accept(message);
            case BackendMessageType.PARSE_COMPLETE, BackendMessageType.BIND_COMPLETE, BackendMessageType.CLOSE_COMPLETE -> {
                Expectation expect = expectations.poll();
                // The answer to a statement or portal Exodus made again in front of the client's request.
                if (expect == null || expect.kind() != Expect.HIDDEN) {
                    client.accept(message);
                }
            }
            case BackendMessageType.ROW_DESCRIPTION -> onRowDescription(message);
            case BackendMessageType.NO_DATA -> {
                expectations.poll();
                client.accept(message);
            }
            case BackendMessageType.DATA_ROW -> onDataRow(message);
            case BackendMessageType.COMMAND_COMPLETE, BackendMessageType.EMPTY_QUERY_RESPONSE,
                    BackendMessageType.PORTAL_SUSPENDED -> onExecuteEnd(message);
            case BackendMessageType.ERROR_RESPONSE -> {
                // The backend skips everything up to Sync after an error.
                while (!expectations.isEmpty() && expectations.peek().kind() != Expect.SYNC) {
                    expectations.poll();
                }
                client.accept(message);
            }
            case BackendMessageType.READY_FOR_QUERY -> {
                expectations.poll();
                client.accept(message);
            }
            default -> client.accept(message);
        }
    }

    private void onRowDescription(PgMessage message) {
        Expectation expect = expectations.peek();
        Expect kind = expect == null ? Expect.OTHER : expect.kind();
        switch (kind) {
            case DESCRIBE_REWRITTEN -> {
                expectations.poll();
                client.accept(projectedDescription(RowDescription.decode(message.body()), expect.projection()));
            }
            case DESCRIBE_FOR_IMAGE -> {
                expectations.poll();
                lastDescription = RowDescription.decode(message.body());
                lastProjection = null;
            }
            case EXECUTE_IMAGE, EXECUTE_IMAGE_SHOWN -> {
                // A simple Query describes its rows itself.
                lastDescription = RowDescription.decode(message.body());
                lastProjection = null;
                if (kind == Expect.EXECUTE_IMAGE_SHOWN) {
                    client.accept(message);
                } else if (!expect.projection().isEmpty()) {
                    client.accept(projectedDescription(lastDescription, expect.projection()));
                }
            }
            default -> {
                if (kind == Expect.OTHER && expect != null) {
                    expectations.poll();
                }
                client.accept(message);
            }
        }
    }

    private void onDataRow(PgMessage message) {
        Expectation expect = expectations.peek();
        if (expect == null || !expect.isImage()) {
            client.accept(message);
            return;
        }
        if (currentRows == null) {
            currentRows = new CapturedRows();
        }
        capturedBytes += CapturedRows.costOf(message.body());
        if (capturedBytes > maxCapturedBytes) {
            overflowed = true;
            currentRows.clear();
        } else {
            currentRows.add(message.body());
        }
        if (expect.kind() == Expect.EXECUTE_IMAGE_SHOWN) {
            client.accept(message);
        } else if (!expect.projection().isEmpty() && lastDescription != null) {
            client.accept(projectedRow(DataRow.decode(message.body()),
                    projectionOf(lastDescription, expect.projection())));
        }
    }

    private void onExecuteEnd(PgMessage message) {
        Expectation expect = expectations.poll();
        if (expect != null && expect.isImage()) {
            if (message.type() == BackendMessageType.PORTAL_SUSPENDED) {
                // The client fetches the rows it asked for in steps: the image would hold only the first ones.
                overflowed = true;
            }
            RowDescription description = lastDescription;
            if (description != null && splits(expect.projection())) {
                int start = imageStart(description);
                description = new RowDescription(description.fields().subList(start, description.fields().size()));
                if (currentRows != null) {
                    currentRows.skipFirst(start);
                }
            }
            captures.add(new Capture(description, currentRows == null ? List.of() : currentRows));
            currentRows = null;
        }
        client.accept(message);
    }

    /** The client's own description: the columns it named, or NoData when it named none. */
    private PgMessage projectedDescription(RowDescription full, List<String> projection) {
        if (projection.isEmpty()) {
            return new PgMessage(BackendMessageType.NO_DATA, Buffer.buffer(0));
        }
        int[] indexes = projectionOf(full, projection);
        Buffer body = Buffer.buffer(32 * indexes.length).appendShort((short) indexes.length);
        for (int index : indexes) {
            RowDescription.Field field = full.fields().get(index);
            MessageWriter.appendCString(body, field.name());
            body.appendInt(field.tableOid()).appendShort(field.columnNumber()).appendInt(field.typeOid())
                    .appendShort(field.typeSize()).appendInt(field.typeModifier()).appendShort(field.format());
        }
        return new PgMessage(BackendMessageType.ROW_DESCRIPTION, body);
    }

    private int[] projectionOf(RowDescription full, List<String> projection) {
        if (lastProjection != null && full == lastDescription) {
            return lastProjection;
        }
        int[] indexes;
        if (splits(projection)) {
            indexes = new int[imageStart(full) - 1];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = i;
            }
        } else {
            indexes = new int[projection.size()];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = indexOf(full, projection.get(i));
            }
        }
        if (full == lastDescription) {
            lastProjection = indexes;
        }
        return indexes;
    }

    private static boolean splits(List<String> projection) {
        return projection.size() == 1 && projection.get(0).equals(RowImageReturning.CLIENT_COLUMNS_END);
    }

    /** Where the whole rows start in an answer split at the marker column: right after it. */
    private static int imageStart(RowDescription full) {
        return indexOf(full, RowImageReturning.CLIENT_COLUMNS_END) + 1;
    }

    private static int indexOf(RowDescription full, String name) {
        List<RowDescription.Field> fields = full.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("the primary returned no column \"" + name + "\"");
    }

    private static PgMessage projectedRow(List<byte[]> values, int[] indexes) {
        Buffer body = Buffer.buffer(16 * indexes.length).appendShort((short) indexes.length);
        for (int index : indexes) {
            byte[] value = values.get(index);
            if (value == null) {
                body.appendInt(-1);
            } else {
                body.appendInt(value.length).appendBytes(value);
            }
        }
        return new PgMessage(BackendMessageType.DATA_ROW, body);
    }
}
