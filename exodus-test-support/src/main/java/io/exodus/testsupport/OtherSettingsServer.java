package io.exodus.testsupport;

import java.util.Map;

import io.exodus.localpg.LocalPostgres;

/**
 * A test server of the class path's PostgreSQL version configured like the shared pair except for some settings
 * (a target with {@code max_prepared_transactions = 0}, say), with the same roles and databases, shared JVM-wide the
 * same way: the first caller starts and announces it under its role, later class loaders attach to it. It stops with
 * the JVM. A role names one configuration: ask for it with the same settings every time.
 */
public final class OtherSettingsServer {

    private OtherSettingsServer() {
    }

    /**
     * The server announced under {@code role}, started with these settings on first use.
     *
     * @param role     a name for its folder, its log lines and its announcement, e.g. "target-without-2pc"
     * @param settings postgresql.conf settings that differ from the shared servers'
     */
    public static LocalPostgres of(String role, Map<String, String> settings) {
        return AnnouncedServer.attachOrStart(role,
                () -> TestDatabases.startServer(TestDatabases.configured(role).settings(settings)));
    }
}
