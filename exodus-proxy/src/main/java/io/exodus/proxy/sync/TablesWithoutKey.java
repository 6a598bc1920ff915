package io.exodus.proxy.sync;

import java.util.Locale;

/**
 * What the sync does with a table that has neither a primary key nor a replica identity. Logical decoding carries
 * no key for its updates and deletes, and the source refuses them outright once the table is in a publication that
 * publishes them; so such a table can be streamed for inserts (and truncates) only.
 */
public enum TablesWithoutKey {
    /** The sync refuses to start and lists the tables. */
    REFUSE("refuse"),
    /** Rows copied, inserts and truncates during the sync streamed, updates and deletes during the sync not. */
    INSERT_ONLY("insert-only");

    private final String configName;

    TablesWithoutKey(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static TablesWithoutKey fromConfig(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (TablesWithoutKey value : values()) {
            if (value.configName.equals(wanted)) {
                return value;
            }
        }
        throw new IllegalArgumentException("exodus.sync.tables-without-key must be refuse or insert-only, not " + text);
    }
}
