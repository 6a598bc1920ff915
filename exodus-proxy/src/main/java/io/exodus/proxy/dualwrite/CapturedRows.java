package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.DataRow;
import io.vertx.core.buffer.Buffer;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one row image as the primary sent them: each DataRow's body in one array, its values read out only when
 * the secondary's messages are built. Kept decoded, a row of two short values costs about four times its bytes (a
 * list, an array of references, an array per value); kept so, its bytes and one array header, which is what the
 * bound on an image's memory ({@code exodus.migration.row-image-max-bytes}) counts.
 */
final class CapturedRows extends AbstractList<List<byte[]>> {
    /** What holding one row costs beyond its bytes: the array's header and the reference to it. */
    static final int ROW_OVERHEAD = 24;

    private final List<byte[]> bodies = new ArrayList<>();
    private int skipped;

    /** Adds a DataRow's body, copied out of the bytes received (a slice would keep the whole chunk alive). */
    void add(Buffer body) {
        bodies.add(body.getBytes());
    }

    /** The image is the values after the first {@code count}, which the client's own columns take. */
    void skipFirst(int count) {
        skipped = count;
    }

    @Override
    public void clear() {
        bodies.clear();
    }

    static long costOf(Buffer body) {
        return body.length() + ROW_OVERHEAD;
    }

    @Override
    public List<byte[]> get(int index) {
        List<byte[]> values = DataRow.decode(Buffer.buffer(bodies.get(index)));
        return skipped == 0 ? values : values.subList(skipped, values.size());
    }

    @Override
    public int size() {
        return bodies.size();
    }
}
