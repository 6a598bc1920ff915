package io.exodus.proxy.sync;

import io.exodus.proxy.config.ConfigChoice;

/**
 * What the sync does when the source's database holds large objects. Logical decoding does not carry them (they live
 * in the catalog {@code pg_largeobject}), and the sync does not copy them: synced without them, the target would
 * lack every one, and a write of one after the switch would fail there.
 */
public enum LargeObjects implements ConfigChoice {
    /** The sync refuses to start, counting them and saying what to do. */
    REFUSE("refuse"),
    /** The sync goes on without them, and its notes say so: for large objects nothing on the target needs. */
    SKIP("skip");

    private final String configName;

    LargeObjects(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static LargeObjects fromConfig(String text) {
        return ConfigChoice.parse(LargeObjects.class, "exodus.sync.large-objects", text);
    }
}
