package io.exodus.proxy.shadow;

import java.util.List;
import java.util.Objects;

/** Compares the primary's answer to a read with the secondary's. Pure. */
public final class ShadowVerdict {
    private ShadowVerdict() {
    }

    /**
     * How the answers differ, or null when they agree. Two failures with the same SQLSTATE agree: the client's read
     * would have failed alike on either database.
     *
     * @param ordered for each result set, whether its statement orders its rows: only then does order count
     */
    public static MismatchKind compare(ResultDigest primary, ResultDigest secondary, List<Boolean> ordered) {
        if (primary.sqlState() != null || secondary.sqlState() != null) {
            return Objects.equals(primary.sqlState(), secondary.sqlState()) ? null : MismatchKind.ERROR;
        }
        if (primary.totalRows() != secondary.totalRows()) {
            return MismatchKind.ROW_COUNT;
        }
        List<ResultDigest.ResultSet> left = primary.results();
        List<ResultDigest.ResultSet> right = secondary.results();
        if (left.size() != right.size()) {
            return MismatchKind.ROWS;
        }
        MismatchKind found = null;
        for (int i = 0; i < left.size(); i++) {
            boolean orders = i < ordered.size() && ordered.get(i);
            if (!orders && (left.get(i).partial() || right.get(i).partial())) {
                // The first rows of an unordered result are whichever each server reached first: only their number
                // (compared above) has to agree.
                continue;
            }
            if (!left.get(i).sameRows(right.get(i))) {
                return MismatchKind.ROWS;
            }
            if (orders && left.get(i).chain() != right.get(i).chain()) {
                found = MismatchKind.ORDER;
            }
        }
        return found;
    }
}
