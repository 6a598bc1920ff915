package io.exodus.proxy.sync;

/**
 * What one copier copies at a time: a whole table, or one of the parts a large table is split into (ADR 0047), the
 * rows whose tuples lie on the pages {@code [fromPage, toPage)} of its heap. The first part has no lower bound and
 * the last no upper one, so that the parts cover every tuple whatever the heap's size when each is read.
 *
 * @param index the part's place among the table's, from 0
 * @param count how many parts the table is split into; 1 for a whole table
 */
record TablePart(SyncedTable table, int index, int count, long fromPage, long toPage) {

    static TablePart whole(SyncedTable table) {
        return new TablePart(table, 0, 1, 0, 0);
    }

    boolean whole() {
        return count == 1;
    }

    /**
     * The condition on {@code ctid} that selects the part's tuples, a TID Range Scan from PostgreSQL 14 on; empty for
     * a whole table.
     */
    String ctidCondition() {
        if (whole()) {
            return "";
        }
        String from = "ctid >= '(" + fromPage + ",0)'::pg_catalog.tid";
        String to = "ctid < '(" + toPage + ",0)'::pg_catalog.tid";
        if (index == 0) {
            return to;
        }
        return index == count - 1 ? from : from + " AND " + to;
    }

    /** "public.t", or "public.t (part 2 of 4)" for the log and errors. */
    String display() {
        return whole() ? table.display() : table.display() + " (part " + (index + 1) + " of " + count + ")";
    }
}
