package io.exodus.proxy.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One table's rows on both databases, as {@code GET /exodus/migration/row-counts} shows them.
 *
 * @param triggers  the table has triggers of its own: counted first, since triggers that run again on the target are
 *                  the likeliest cause of a difference
 * @param estimated the counts are the planners' estimates ({@code pg_class.reltuples}, as of the last VACUUM or
 *                  ANALYZE), not counts: the table is larger than {@code exodus.verify.count-exact-limit}; estimates
 *                  are shown, never judged
 * @param differs   exact counts that differed on every re-count; null for estimates
 * @param error     why the table could not be counted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RowCount(String table, boolean triggers, boolean estimated, Long sourceRows, Long targetRows,
        Boolean differs, String error) {
}
