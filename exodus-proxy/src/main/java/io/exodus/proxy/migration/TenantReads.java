package io.exodus.proxy.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The tenants whose reads phase canary routes by a share of their own (the user-by-user strategy): 100 is a tenant
 * moved to the target, one that is absent follows the fleet's canary share. Only reads move: every tenant's writes
 * keep one order, the primary's first (docs/adr/0042), so two tenants never hold locks on the two databases in opposite
 * orders. Kept in the control state as a JSON object, tenant → percent.
 */
public record TenantReads(Map<String, Double> shares) {
    public static final TenantReads NONE = new TenantReads(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    public TenantReads {
        for (Map.Entry<String, Double> share : shares.entrySet()) {
            double percent = share.getValue() == null ? -1 : share.getValue();
            if (!(percent >= 0 && percent <= 100)) {
                throw new IllegalArgumentException("tenant \"" + share.getKey() + "\": a share of reads is between 0 "
                        + "and 100 (percent), not " + share.getValue());
            }
        }
        shares = Collections.unmodifiableMap(new TreeMap<>(shares));
    }

    /** The tenant's own share, if it has one. */
    public OptionalDouble shareOf(String tenant) {
        Double share = shares.get(tenant);
        return share == null ? OptionalDouble.empty() : OptionalDouble.of(share);
    }

    /** These shares with the tenant's set to {@code percent}. */
    public TenantReads with(String tenant, double percent) {
        Map<String, Double> changed = new TreeMap<>(shares);
        changed.put(tenant, percent);
        return new TenantReads(changed);
    }

    /** These shares without the tenant's: it follows the fleet's canary share again. */
    public TenantReads without(String tenant) {
        Map<String, Double> changed = new TreeMap<>(shares);
        changed.remove(tenant);
        return new TenantReads(changed);
    }

    public String json() {
        try {
            return JSON.writeValueAsString(shares);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tenant shares cannot be written as JSON", e);
        }
    }

    /** Reads {@link #json()}; fails with a message that says what is wrong. */
    public static TenantReads parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        try {
            return new TenantReads(JSON.readValue(json, new TypeReference<Map<String, Double>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tenant shares are a JSON object of tenant → percent, not " + json, e);
        }
    }
}
