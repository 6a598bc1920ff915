package io.exodus.testsupport;

import java.util.Locale;

/** pgbench's -M: how statements travel over the wire protocol. */
public enum QueryMode {
    /** Simple query protocol: one Query message per statement. */
    SIMPLE,
    /** Extended protocol with unnamed statements: Parse/Bind/Execute every time. */
    EXTENDED,
    /** Extended protocol with named prepared statements, parsed once per connection. */
    PREPARED;

    String pgbenchName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
