package io.exodus.proxy.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Map;

/**
 * One row that differs between the databases, as the report shows it. A row of a table with a primary key is named
 * by its key; a row of a table without one by the md5 of its canonical text, with how often each side holds it.
 *
 * @param key         primary-key column → value as PostgreSQL prints it; null for a table without a key
 * @param rowMd5      md5 of the row's canonical text; only for a table without a key
 * @param sourceCount how many copies of the row the source holds; only for a table without a key
 * @param targetCount the same on the target
 * @param source      the row on the source as {@code ROW(...)::text}, only with {@code exodus.verify.show-values}
 * @param target      the row on the target, likewise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RowDifference(Kind kind, Map<String, String> key, String rowMd5, Long sourceCount, Long targetCount,
        String source, String target) {

    public enum Kind {
        /** On the source, not on the target. */
        MISSING,
        /** On the target, not on the source. */
        EXTRA,
        /** On both under the same key, with other values. */
        DIFFERENT;

        @JsonValue
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static RowDifference keyed(Kind kind, Map<String, String> key, String source, String target) {
        return new RowDifference(kind, key, null, null, null, source, target);
    }

    /** Rows this difference stands for: a duplicated row without a key counts once per missing or extra copy. */
    long rows() {
        return sourceCount == null ? 1 : Math.abs(sourceCount - targetCount);
    }
}
