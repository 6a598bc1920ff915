package io.exodus.proxy.server;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.direct.DirectRelay;
import io.exodus.proxy.dualwrite.DualWriteRelay;
import io.exodus.proxy.dualwrite.DualWriteServices;
import io.exodus.proxy.session.Relay;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.session.Relays;
import io.exodus.proxy.session.SessionServices;
import io.vertx.core.net.NetSocket;

/** The relays of one event loop's sessions; {@code dualWrite} is null when no target is configured. */
record SessionRelays(DualWriteServices dualWrite) implements Relays {

    @Override
    public BackendConnector secondary() {
        return dualWrite == null ? null : dualWrite.target();
    }

    @Override
    public boolean writeBoth() {
        return dualWrite != null && dualWrite.migration().phase().writesBothDatabases();
    }

    @Override
    public Relay direct(RelayHost host, NetSocket client, SessionServices services, BackendConnection backend) {
        DirectRelay relay = new DirectRelay(host, client, backend, services);
        relay.start(backend.leftover());
        return relay;
    }

    @Override
    public Relay dualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection backend, BackendConnection target) {
        DualWriteRelay relay = new DualWriteRelay(host, client, services, dualWrite, login, backend, target);
        relay.start();
        return relay;
    }

    @Override
    public Relay adoptIntoDualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection backend) {
        DualWriteRelay relay = new DualWriteRelay(host, client, services, dualWrite, login, backend, null);
        relay.startAdopting();
        return relay;
    }
}
