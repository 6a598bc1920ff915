package io.exodus.proxy.migration;

import io.exodus.proxy.wire.StartupOptions;

import java.util.Locale;
import java.util.Map;

/**
 * What names a session's tenant for the user-by-user strategy ({@code exodus.migration.tenant-key}): read from the
 * session's startup packet when it connects; {@code application_name} also as the server reports it later, since
 * drivers such as pgJDBC set it with a {@code SET} after the startup. A tenant only steers reads (docs/adr/0042), so
 * a session that changes its name midway changes where its next reads go, nothing else.
 */
public final class TenantKey {
    /** The role the client logs in as. */
    public static final TenantKey USER = new TenantKey("user", null);
    /** The session's {@code application_name}; sessions that set none share the tenant "". */
    public static final TenantKey APPLICATION_NAME = new TenantKey("application-name", null);
    /** The database the client connects to. */
    public static final TenantKey DATABASE = new TenantKey("database", null);
    private static final String OPTION = "option:";

    private final String configName;
    /** The setting a startup option names, for {@code option:NAME}; null for the others. */
    private final String option;

    private TenantKey(String configName, String option) {
        this.configName = configName;
        this.option = option;
    }

    /**
     * A setting the client gives in its startup packet: as a parameter of its own, or in {@code options}
     * ({@code options=-c app.tenant=billing} with libpq or pgJDBC). A custom setting has a dot in its name, which
     * PostgreSQL accepts without knowing it. Sessions that give none share the tenant "".
     */
    public static TenantKey option(String setting) {
        return new TenantKey(OPTION + setting, setting.toLowerCase(Locale.ROOT));
    }

    public String configName() {
        return configName;
    }

    /** The tenant of a session that logged in as {@code user} into {@code database} with these startup parameters. */
    public String of(String user, String database, Map<String, String> startupParameters) {
        if (this == USER) {
            return user;
        }
        if (this == DATABASE) {
            return database;
        }
        if (this == APPLICATION_NAME) {
            return startupParameters.getOrDefault("application_name", "");
        }
        for (Map.Entry<String, String> parameter : startupParameters.entrySet()) {
            if (parameter.getKey().toLowerCase(Locale.ROOT).equals(option)) {
                return parameter.getValue();
            }
        }
        String options = startupParameters.get("options");
        return options == null ? "" : StartupOptions.settings(options).getOrDefault(option, "");
    }

    public static TenantKey fromConfig(String value) {
        for (TenantKey key : new TenantKey[] {USER, APPLICATION_NAME, DATABASE}) {
            if (key.configName.equals(value)) {
                return key;
            }
        }
        if (value.startsWith(OPTION) && value.length() > OPTION.length()) {
            return option(value.substring(OPTION.length()));
        }
        throw new IllegalArgumentException("exodus.migration.tenant-key has \"" + value + "\": choose one of user, "
                + "application-name, database, or option:NAME (a setting the client passes in its startup packet, "
                + "such as options=-c app.tenant=…)");
    }

    @Override
    public String toString() {
        return configName;
    }
}
