package io.exodus.proxy.server;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.direct.DirectRelay;
import io.exodus.proxy.dualwrite.DualWriteRelay;
import io.exodus.proxy.dualwrite.DualWriteServices;
import io.exodus.proxy.dualwrite.PrimaryMove;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.session.Relay;
import io.exodus.proxy.session.RelayHost;
import io.exodus.proxy.session.Relays;
import io.exodus.proxy.session.SessionServices;
import io.exodus.proxy.migration.MigrationState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;

import java.util.Set;

/**
 * The relays of one event loop's sessions; {@code dualWrite} is null when no target is configured.
 *
 * @param source the source's connector of this event loop
 */
record SessionRelays(DualWriteServices dualWrite, BackendConnector source, int maxMessageSize) implements Relays {

    @Override
    public BackendConnector target() {
        return dualWrite == null ? null : dualWrite.target();
    }

    @Override
    public MigrationPhase phaseFor(String database) {
        if (dualWrite == null || !dualWrite.migration().databases().includes(database)) {
            return MigrationPhase.DIRECT;
        }
        return dualWrite.migration().phase();
    }

    /** Never without a target: such a replica applies no phase but direct, so no newer state moves its writes. */
    @Override
    public boolean refusesWrites(RelayHost session) {
        return session.leftBehind() || dualWrite != null && dualWrite.migration().refusesWrites();
    }

    @Override
    public Future<Void> confirmState(RelayHost session) {
        if (session.leftBehind()) {
            // No confirmation helps: the fleet changed the route while this transaction was open (docs/adr/0032).
            return Future.failedFuture("the fleet changed the route while this session's transaction was open");
        }
        if (dualWrite == null) {
            return Future.succeededFuture();
        }
        MigrationState migration = dualWrite.migration();
        MigrationPhase found = migration.phase();
        // The answer comes on the control connection's thread; the request goes on on its session's event loop.
        ContextInternal here = (ContextInternal) Vertx.currentContext();
        Promise<Void> answer = here == null ? Promise.promise() : here.promise();
        migration.confirmer().confirmNow().onComplete(answer);
        return answer.future().compose(v -> {
            // Checked on the session's loop, when the request goes on: within the renewed lease, by the same phase.
            if (migration.refusesWrites() || migration.phase() != found || session.leftBehind()) {
                return Future.failedFuture("the confirmation came too late, or with a newer phase");
            }
            return Future.succeededFuture();
        });
    }

    @Override
    public Relay direct(RelayHost host, NetSocket client, SessionServices services, BackendConnection backend,
            Side side) {
        DirectRelay relay = new DirectRelay(host, client, backend, services, services.connector(side));
        relay.start(backend.leftover());
        return relay;
    }

    @Override
    public Relay dualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection primary, BackendConnection secondary, Side primarySide) {
        DualWriteRelay relay = new DualWriteRelay(host, client, services, dualWrite, login, primary, secondary,
                primarySide);
        relay.start();
        return relay;
    }

    @Override
    public Relay adoptIntoDualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection primary, Side primarySide) {
        DualWriteRelay relay = new DualWriteRelay(host, client, services, dualWrite, login, primary, null,
                primarySide);
        relay.startAdopting();
        return relay;
    }

    @Override
    public Future<BackendConnection> movePrimary(BackendConnection from, BackendLogin login, Side to,
            Set<String> customSettingNames) {
        return PrimaryMove.move(from, to == Side.SOURCE ? source : dualWrite.target(), login, dualWrite,
                maxMessageSize, customSettingNames);
    }
}
