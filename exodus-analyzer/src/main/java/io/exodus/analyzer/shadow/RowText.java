package io.exodus.analyzer.shadow;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/** A row as evidence shows it, and as the multiset comparison sorts it. */
final class RowText {
    /** SQL NULL among a row's cells where a list cannot hold null. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };
    private static final int LONGEST = 300;

    private RowText() {
    }

    static String of(List<Object> row) {
        StringBuilder text = new StringBuilder("(");
        for (int c = 0; c < row.size(); c++) {
            if (c > 0) {
                text.append(", ");
            }
            Object cell = row.get(c);
            if (cell == null || cell == NULL) {
                text.append("NULL");
            } else if (cell instanceof Double) {
                text.append(cell);
            } else {
                text.append('\'').append(cell).append('\'');
            }
        }
        String whole = text.append(')').toString();
        return whole.length() <= LONGEST ? whole : whole.substring(0, LONGEST) + "…";
    }

    /** A sort key in which floating-point values are rounded to {@code digits} significant digits. */
    static String key(List<Object> row, int digits) {
        StringBuilder key = new StringBuilder();
        for (Object cell : row) {
            if (cell == null || cell == NULL) {
                key.append('\u0000');
            } else if (cell instanceof Double value && Double.isFinite(value)) {
                key.append('\u0001').append(new BigDecimal(value).round(new MathContext(digits)).toString());
            } else {
                key.append('\u0002').append(cell);
            }
            key.append('\u001f');
        }
        return key.toString();
    }
}
