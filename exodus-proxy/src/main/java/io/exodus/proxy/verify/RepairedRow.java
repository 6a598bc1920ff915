package io.exodus.proxy.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Map;

/**
 * One change a repair made on the repaired database. A row of a table with a primary key is named by its key; rows of
 * a table without one by the md5 of their canonical text, with how many copies were inserted or deleted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RepairedRow(Change change, Map<String, String> key, String rowMd5, Long copies) {

    public enum Change {
        INSERTED, UPDATED, DELETED;

        @JsonValue
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static RepairedRow keyed(Change change, Map<String, String> key) {
        return new RepairedRow(change, key, null, null);
    }

    static RepairedRow copies(Change change, String md5, long copies) {
        return new RepairedRow(change, null, md5, copies);
    }

    long rows() {
        return copies == null ? 1 : copies;
    }
}
