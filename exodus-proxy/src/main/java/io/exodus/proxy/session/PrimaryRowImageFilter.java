package io.exodus.proxy.session;

import io.exodus.proxy.protocol.PgMessage;
import io.exodus.proxy.protocol.RowDescription;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits between the primary and the client when INSERTs run with an added {@code RETURNING *}: the rows and their
 * description go to the row image for the secondary, and the client sees what its own statement returns (nothing,
 * unless it asked for {@code RETURNING *} itself). The primary answers requests in order, so each answer is matched
 * to the request it belongs to through a queue of {@link Expect}ations built from the request.
 */
final class PrimaryRowImageFilter implements Leg.Sink {

    /** What the primary will answer to one message of the request, in order. */
    enum Expect {
        OTHER, DESCRIBE_REWRITTEN, DESCRIBE_FOR_IMAGE, EXECUTE_PLAIN, EXECUTE_IMAGE, EXECUTE_IMAGE_SHOWN, SYNC
    }

    /** The rows one rewritten INSERT produced on the primary. */
    record Capture(RowDescription description, List<List<byte[]>> rows) {
    }

    /** Beyond this, an INSERT … SELECT's rows are not kept: the secondary runs the statement's text instead. */
    static final long MAX_CAPTURED_BYTES = 64L << 20;

    private final Leg.Sink client;
    private long capturedBytes;
    private boolean overflowed;
    private final ArrayDeque<Expect> expectations;
    private final List<Capture> captures = new ArrayList<>();
    private RowDescription lastDescription;
    private List<List<byte[]>> currentRows;

    PrimaryRowImageFilter(Leg.Sink client, List<Expect> expectations) {
        this.client = client;
        this.expectations = new ArrayDeque<>(expectations);
    }

    List<Capture> captures() {
        return captures;
    }

    /** Whether some rows were too many to keep ({@link #MAX_CAPTURED_BYTES}): the captures are incomplete. */
    boolean overflowed() {
        return overflowed;
    }

    @Override
    public void accept(PgMessage message) {
        byte type = message.type();
        switch (type) {
            case 'N', 'A', 'S', '1', '2', '3', 't' -> pass(message, type);
            case 'T' -> onRowDescription(message);
            case 'n' -> {
                expectations.poll();
                client.accept(message);
            }
            case 'D' -> onDataRow(message);
            case 'C', 'I', 's' -> onExecuteEnd(message);
            case 'E' -> {
                // The backend skips everything up to Sync after an error.
                while (!expectations.isEmpty() && expectations.peek() != Expect.SYNC) {
                    expectations.poll();
                }
                client.accept(message);
            }
            case 'Z' -> {
                expectations.poll();
                client.accept(message);
            }
            default -> client.accept(message);
        }
    }

    private void pass(PgMessage message, byte type) {
        if (type == '1' || type == '2' || type == '3') {
            expectations.poll();
        }
        client.accept(message);
    }

    private void onRowDescription(PgMessage message) {
        Expect expect = expectations.peek();
        if (expect == Expect.DESCRIBE_REWRITTEN) {
            expectations.poll();
            client.accept(new PgMessage((byte) 'n', io.vertx.core.buffer.Buffer.buffer(0)));
        } else if (expect == Expect.DESCRIBE_FOR_IMAGE) {
            expectations.poll();
            lastDescription = RowDescription.decode(message.body());
        } else if (expect == Expect.EXECUTE_IMAGE || expect == Expect.EXECUTE_IMAGE_SHOWN) {
            // A simple Query describes its rows itself.
            lastDescription = RowDescription.decode(message.body());
            if (expect == Expect.EXECUTE_IMAGE_SHOWN) {
                client.accept(message);
            }
        } else {
            if (expect == Expect.OTHER) {
                expectations.poll();
            }
            client.accept(message);
        }
    }

    private void onDataRow(PgMessage message) {
        Expect expect = expectations.peek();
        if (expect == Expect.EXECUTE_IMAGE || expect == Expect.EXECUTE_IMAGE_SHOWN) {
            if (currentRows == null) {
                currentRows = new ArrayList<>();
            }
            capturedBytes += message.body().length();
            if (capturedBytes > MAX_CAPTURED_BYTES) {
                overflowed = true;
                currentRows.clear();
            } else {
                currentRows.add(io.exodus.proxy.protocol.DataRow.decode(message.body()));
            }
            if (expect == Expect.EXECUTE_IMAGE) {
                return;
            }
        }
        client.accept(message);
    }

    private void onExecuteEnd(PgMessage message) {
        Expect expect = expectations.poll();
        if (expect == Expect.EXECUTE_IMAGE || expect == Expect.EXECUTE_IMAGE_SHOWN) {
            captures.add(new Capture(lastDescription, currentRows == null ? List.of() : currentRows));
            currentRows = null;
        }
        client.accept(message);
    }
}
