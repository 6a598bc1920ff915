package io.exodus.proxy.sync;

import io.exodus.proxy.config.ConfigChoice;

/**
 * What the sync does with the source's unlogged tables. Their changes never reach the WAL, so logical decoding
 * cannot carry them: rows copied under the slot's snapshot would be stale by the switch, with nothing to tell.
 */
public enum UnloggedTables implements ConfigChoice {
    /** The sync refuses to start and lists them. */
    REFUSE("refuse"),
    /** The target gets their schema and no rows, and the sync's notes list them. */
    SCHEMA_ONLY("schema-only");

    private final String configName;

    UnloggedTables(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static UnloggedTables fromConfig(String text) {
        return ConfigChoice.parse(UnloggedTables.class, "exodus.sync.unlogged-tables", text);
    }
}
