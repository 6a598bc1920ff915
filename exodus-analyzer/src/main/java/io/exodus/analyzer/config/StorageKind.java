package io.exodus.analyzer.config;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The kind of disks under the target, as PGTune asks for it: it decides how expensive a random read is. */
public enum StorageKind {
    /** Local or network SSD: a random read costs little more than a sequential one. */
    SSD("1.1", 200),
    /** Spinning disks: PostgreSQL's defaults were made for them. */
    HDD("4", 2),
    /** A storage network, usually SSD-backed with deep queues. */
    SAN("1.1", 300);

    private final String randomPageCost;
    private final int effectiveIoConcurrency;

    StorageKind(String randomPageCost, int effectiveIoConcurrency) {
        this.randomPageCost = randomPageCost;
        this.effectiveIoConcurrency = effectiveIoConcurrency;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String randomPageCost() {
        return randomPageCost;
    }

    public int effectiveIoConcurrency() {
        return effectiveIoConcurrency;
    }
}
