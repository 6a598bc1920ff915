package io.exodus.proxy.sync;

import io.exodus.proxy.config.ConfigChoice;

/**
 * What the sync does with a table that has neither a primary key nor a replica identity. Logical decoding carries
 * no key for its updates and deletes, and the source refuses them outright once the table is in a publication that
 * publishes them; so such a table can be streamed for inserts (and truncates) only.
 */
public enum TablesWithoutKey implements ConfigChoice {
    /** The sync refuses to start and lists the tables. */
    REFUSE("refuse"),
    /** Rows copied, inserts and truncates during the sync streamed, updates and deletes during the sync not. */
    INSERT_ONLY("insert-only");

    private final String configName;

    TablesWithoutKey(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static TablesWithoutKey fromConfig(String text) {
        return ConfigChoice.parse(TablesWithoutKey.class, "exodus.sync.tables-without-key", text);
    }
}
