package io.exodus.proxy.sync;

import io.exodus.proxy.sql.Identifiers;

import java.util.List;
import java.util.Set;

/**
 * A table of the source that the sync copies, as its catalog describes it.
 *
 * @param partitioned  a partitioned table: it holds no rows itself, its partitions are copied
 * @param partition    a partition of another table
 * @param keyed        whether logical decoding can carry keys for its updates and deletes (a primary key, or a
 *                     replica identity index or FULL)
 * @param columns      the columns COPY moves, quoted, in order: every column but generated ones
 * @param alwaysIdentity the {@code GENERATED ALWAYS AS IDENTITY} columns, unquoted: an UPDATE may not set them
 */
public record SyncedTable(String schema, String name, boolean partitioned, boolean partition, boolean keyed,
        long estimatedRows, List<String> columns, Set<String> alwaysIdentity) {

    /** The name quoted for SQL. */
    public String qualified() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    /** The name as a person reads it in the status and the log. */
    public String display() {
        return schema + "." + name;
    }

    /** Holds rows of its own: copied with COPY. */
    public boolean holdsRows() {
        return !partitioned;
    }
}
