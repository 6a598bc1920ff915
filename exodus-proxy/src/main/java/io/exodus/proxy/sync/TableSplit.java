package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Which tables are copied in parts, and where the parts begin (ADR 0047): a table whose heap is at least
 * {@code exodus.sync.split-min-bytes} is cut into ranges of pages of equal size, each a job the copiers take as they
 * take tables, so that one large table keeps every copier busy instead of one. Only under the slot's exported snapshot:
 * every part then reads the same moment of the source, and the parts together are exactly the table's rows there.
 */
final class TableSplit {
    /**
     * PostgreSQL 14 reads {@code ctid >= … AND ctid < …} with a TID Range Scan, the part's pages alone; before it
     * each part would read the whole heap.
     */
    static final int TID_RANGE_SCAN_VERSION = 140000;

    private static final String SIZES = "SELECT pg_catalog.current_setting('server_version_num')::int, "
            + "pg_catalog.current_setting('block_size')::bigint, t.ord::int, "
            + "pg_catalog.pg_relation_size(t.name::regclass) "
            + "FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord) ORDER BY t.ord";

    private TableSplit() {
    }

    /**
     * The copiers' jobs, in the tables' order (largest first), each split table's parts in the order of its pages.
     *
     * @param underSlotSnapshot whether the rows are copied under the slot's exported snapshot; when not (a resumed
     *                          sync), every table is copied whole under a snapshot of its copier's own
     */
    static Future<List<TablePart>> plan(Pool source, List<SyncedTable> tables, SyncSettings settings,
            boolean underSlotSnapshot, SyncProgress progress) {
        if (!underSlotSnapshot || settings.parallelTables() < 2 || tables.isEmpty()) {
            return Future.succeededFuture(tables.stream().map(TablePart::whole).toList());
        }
        String[] names = tables.stream().map(SyncedTable::qualified).toArray(String[]::new);
        return source.preparedQuery(SIZES).execute(Tuple.of((Object) names)).map(rows -> {
            List<TablePart> jobs = new ArrayList<>();
            List<String> unsplit = new ArrayList<>();
            int version = 0;
            for (Row row : rows) {
                version = row.getInteger(0);
                long blockSize = row.getLong(1);
                SyncedTable table = tables.get(row.getInteger(2) - 1);
                long pages = row.getLong(3) / blockSize;
                List<TablePart> parts = version >= TID_RANGE_SCAN_VERSION
                        ? parts(table, pages, blockSize, settings.splitMinBytes(), settings.parallelTables())
                        : List.of(TablePart.whole(table));
                if (version < TID_RANGE_SCAN_VERSION && pages * blockSize >= settings.splitMinBytes()) {
                    unsplit.add(table.display());
                }
                jobs.addAll(parts);
            }
            if (!unsplit.isEmpty()) {
                progress.note("large tables are copied whole, not in parts: the source runs PostgreSQL "
                        + version / 10000 + ", which has no TID Range Scan (14 and newer have): "
                        + String.join(", ", unsplit));
            }
            return jobs;
        });
    }

    /**
     * A table's parts: none but the whole table below {@code splitMinBytes} (or with a single copier, or without a
     * column to select); otherwise the fewest parts of at most {@code splitMinBytes} each, their number rounded up to
     * a multiple of the copiers so that a table copied alone keeps all of them busy to its end, of equal numbers of
     * pages (at least one each).
     */
    static List<TablePart> parts(SyncedTable table, long pages, long blockSize, long splitMinBytes, int parallel) {
        if (parallel < 2 || table.columns().isEmpty() || pages * blockSize < splitMinBytes) {
            return List.of(TablePart.whole(table));
        }
        long partPages = Math.max(1, splitMinBytes / blockSize);
        long count = ceilDiv(ceilDiv(pages, partPages), parallel) * parallel;
        int parts = (int) Math.min(count, pages);
        if (parts < 2) {
            return List.of(TablePart.whole(table));
        }
        List<TablePart> list = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            list.add(new TablePart(table, i, parts, pages * i / parts, pages * (i + 1) / parts));
        }
        return List.copyOf(list);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
