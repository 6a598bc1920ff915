package io.exodus.proxy.dualwrite;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

import java.util.HashMap;
import java.util.Map;

/** {@link DualWriteProfile}, with the proxy reaching the shared source and target over their Unix sockets. */
public class UnixSocketProfile extends DualWriteProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.source.url", socketUrl(TestDatabases.source()));
        overrides.put("exodus.target.url", socketUrl(TestDatabases.target()));
        return overrides;
    }

    /** libpq's form for a socket: the folder as the host parameter; sslmode=require shows it is ignored there. */
    static String socketUrl(LocalPostgres server) {
        return server.socketUrl(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE)
                .orElseThrow(() -> new IllegalStateException(server + " has no Unix socket (its temp folder's path is "
                        + "too long)")) + "&sslmode=require";
    }
}
