package io.exodus.proxy.sync;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an initial sync is, by the names the status API shows (docs/initial-sync.md). */
public enum SyncState {
    CHECKING("checking"),
    COPYING_SCHEMA("copying-schema"),
    COPYING("copying"),
    CATCHING_UP("catching-up"),
    SWITCHING("switching"),
    DONE("done"),
    FAILED("failed");

    private final String apiName;

    SyncState(String apiName) {
        this.apiName = apiName;
    }

    @JsonValue
    public String apiName() {
        return apiName;
    }

    public boolean finished() {
        return this == DONE || this == FAILED;
    }
}
