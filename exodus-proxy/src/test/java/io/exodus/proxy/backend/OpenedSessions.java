package io.exodus.proxy.backend;

import io.vertx.core.Vertx;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Opens a backend session from a test thread: on a Vert.x context, as the proxy does, waited for here. */
final class OpenedSessions {
    private OpenedSessions() {
    }

    /** The session, or an ExecutionException carrying why it could not be opened. */
    static BackendConnection open(Vertx vertx, BackendConnector connector, BackendLogin login) throws Exception {
        CompletableFuture<BackendConnection> opened = new CompletableFuture<>();
        vertx.runOnContext(v -> connector.open(login).onComplete(result -> {
            if (result.succeeded()) {
                opened.complete(result.result());
            } else {
                opened.completeExceptionally(result.cause());
            }
        }));
        return opened.get(20, TimeUnit.SECONDS);
    }
}
