package io.exodus.proxy.backend;

import io.exodus.proxy.config.PostgresUrl;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A socket URL where Netty's native transport is missing fails start-up with what to do, not every connection. */
class UnixSocketTransportTest {
    private static final BackendEndpoint SOCKET = new BackendEndpoint("target",
            PostgresUrl.parse("postgresql://u:p@/db?host=/var/run/postgresql"));
    private static final BackendEndpoint TCP = new BackendEndpoint("source",
            PostgresUrl.parse("postgresql://u:p@127.0.0.1:5432/db"));

    @Test
    void withoutTheNativeTransportASocketUrlIsRefusedWithItsReason() throws Exception {
        Vertx nio = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
        try {
            var refused = assertThrows(IllegalStateException.class,
                    () -> UnixSocketTransport.requireFor(nio, List.of(TCP, SOCKET)));
            assertTrue(refused.getMessage().contains("exodus.target.url names a Unix-domain socket (/var/run/postgresql)"),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("TCP address"), refused.getMessage());
            assertDoesNotThrow(() -> UnixSocketTransport.requireFor(nio, List.of(TCP)));
        } finally {
            nio.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withTheNativeTransportSocketsAreFine() throws Exception {
        Vertx epoll = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        try {
            assertTrue(epoll.isNativeTransportEnabled(), "the epoll transport ships for linux-x86_64");
            assertDoesNotThrow(() -> UnixSocketTransport.requireFor(epoll, List.of(TCP, SOCKET)));
        } finally {
            epoll.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
