package io.exodus.proxy.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One table's verification, as {@code GET /exodus/migration/verification} shows it.
 *
 * @param state           {@code waiting}, {@code running}, {@code done} or {@code failed} (see {@code error})
 * @param comparedBy      {@code primary-key} (rows matched by key, key ranges bisected) or {@code whole-row} (no
 *                        primary key: rows compared as multisets of their canonical text)
 * @param key             the primary key's columns; empty without one
 * @param divergentReason why catch-up marked the table divergent ({@code exodus.divergent_tables}), if it did: such
 *                        tables are verified first
 * @param sourceRows      rows read on the source (each key range counted when it was read); null until known
 * @param targetRows      the same on the target
 * @param rowsChecked     source rows verified so far: the progress
 * @param missing         rows on the source that the target lacks
 * @param extra           rows on the target that the source lacks
 * @param different       rows on both under the same key with other values
 * @param settled         rows that differed at first and read the same on a re-check (writes in flight): not counted
 *                        as differences
 * @param examples        the first differing rows, by key (values only with {@code exodus.verify.show-values})
 * @param resumed         true when this verification continued one a restart interrupted, taking over what it found
 * @param resumedFrom     the key this table's verification was continued from; null when it started at the table's
 *                        start or was done before the restart
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TableReport(String table, String state, String comparedBy, List<String> key, String divergentReason,
        Long sourceRows, Long targetRows, long rowsChecked, long missing, long extra, long different, long settled,
        List<RowDifference> examples, String error, Boolean resumed, List<String> resumedFrom, String startedAt, String finishedAt, Long durationMillis) {

    public boolean identical() {
        return "done".equals(state) && missing == 0 && extra == 0 && different == 0;
    }
}
