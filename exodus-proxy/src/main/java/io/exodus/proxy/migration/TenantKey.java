package io.exodus.proxy.migration;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What names a session's tenant for the user-by-user strategy ({@code exodus.migration.tenant-key}): read from the
 * session's startup packet when it connects; {@code application_name} also as the server reports it later, since
 * drivers such as pgJDBC set it with a {@code SET} after the startup. A tenant only steers reads (docs/adr/0042), so
 * a session that changes its name midway changes where its next reads go, nothing else.
 */
public enum TenantKey {
    /** The role the client logs in as. */
    USER("user"),
    /** The session's {@code application_name}; sessions that set none share the tenant "". */
    APPLICATION_NAME("application-name"),
    /** The database the client connects to. */
    DATABASE("database");

    private final String configName;

    TenantKey(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The tenant of a session that logged in as {@code user} into {@code database} with these startup parameters. */
    public String of(String user, String database, Map<String, String> startupParameters) {
        return switch (this) {
            case USER -> user;
            case DATABASE -> database;
            case APPLICATION_NAME -> startupParameters.getOrDefault("application_name", "");
        };
    }

    public static TenantKey fromConfig(String value) {
        for (TenantKey key : values()) {
            if (key.configName.equals(value)) {
                return key;
            }
        }
        throw new IllegalArgumentException("exodus.migration.tenant-key has \"" + value + "\": choose one of "
                + Arrays.stream(values()).map(TenantKey::configName).collect(Collectors.joining(", ")));
    }
}
