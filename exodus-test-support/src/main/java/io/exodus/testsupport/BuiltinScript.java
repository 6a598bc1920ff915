package io.exodus.testsupport;

/** pgbench's -b: one of its built-in transaction scripts. */
public enum BuiltinScript {
    /** One SELECT by primary key: read-only. */
    SELECT_ONLY("select-only"),
    /** The TPC-B-like default: three UPDATEs, a SELECT and an INSERT in one transaction. */
    TPCB_LIKE("tpcb-like"),
    /** tpcb-like without the updates of the two small tables, so fewer row-lock waits. */
    SIMPLE_UPDATE("simple-update");

    private final String pgbenchName;

    BuiltinScript(String pgbenchName) {
        this.pgbenchName = pgbenchName;
    }

    String pgbenchName() {
        return pgbenchName;
    }
}
