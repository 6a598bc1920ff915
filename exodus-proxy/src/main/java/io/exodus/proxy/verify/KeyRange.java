package io.exodus.proxy.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * A range of primary-key values, {@code lower <= key < upper} in the key's own order, each bound the key's columns as
 * text (PostgreSQL's output of each value); a null bound is open. Bounds are read on one database and applied on
 * both: a range means the same rows on both sides whatever their physical order.
 */
record KeyRange(List<String> lower, List<String> upper) {
    static final KeyRange ALL = new KeyRange(null, null);

    KeyRange {
        lower = lower == null ? null : List.copyOf(lower);
        upper = upper == null ? null : List.copyOf(upper);
    }

    /**
     * The consecutive ranges that the boundaries cut this one into: each boundary is the lower bound of one range
     * and the upper bound of the one before, so together they cover this range exactly, without overlap.
     *
     * @param boundaries keys inside this range, ascending
     */
    List<KeyRange> split(List<List<String>> boundaries) {
        List<KeyRange> parts = new ArrayList<>(boundaries.size() + 1);
        List<String> from = lower;
        for (List<String> boundary : boundaries) {
            parts.add(new KeyRange(from, boundary));
            from = boundary;
        }
        parts.add(new KeyRange(from, upper));
        return parts;
    }
}
