package io.exodus.proxy.metrics;

import java.util.function.IntSupplier;

/**
 * What client sessions report about themselves: their start and end, authentication, the errors they send. The
 * per-message work of an established session goes through the {@link RelayMetrics} that {@link #openRelay()}
 * hands out. With {@code exodus.metrics.enabled=false} every method does nothing.
 */
public interface ProxyMetrics {

    /** A session is relayed to a backend; one more backend connection until {@link RelayMetrics#backendClosed()}. */
    RelayMetrics openRelay();

    /** The session was refused before it reached a backend. */
    void sessionRefused(SessionRefusal reason);

    /** The client proved its identity (or needed not); {@code startedAt} is the System.nanoTime of its StartupMessage. */
    void authenticated(long startedAt);

    /** The client's password was wrong or its user unknown. */
    void authenticationFailed(long startedAt);

    /** The client is sent an ErrorResponse with this SQLSTATE. */
    void error(ErrorOrigin origin, String sqlState);

    /** The number of open client sessions, read whenever a registry publishes. */
    void watchOpenSessions(IntSupplier openSessions);

    ProxyMetrics DISABLED = new ProxyMetrics() {
        @Override
        public RelayMetrics openRelay() {
            return RelayMetrics.NONE;
        }

        @Override
        public void sessionRefused(SessionRefusal reason) {
        }

        @Override
        public void authenticated(long startedAt) {
        }

        @Override
        public void authenticationFailed(long startedAt) {
        }

        @Override
        public void error(ErrorOrigin origin, String sqlState) {
        }

        @Override
        public void watchOpenSessions(IntSupplier openSessions) {
        }
    };
}
