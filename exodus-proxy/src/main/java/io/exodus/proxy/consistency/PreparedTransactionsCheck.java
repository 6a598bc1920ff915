package io.exodus.proxy.consistency;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.vertx.core.Future;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Refuses the two-phase-commit policy on a server that cannot prepare transactions. PostgreSQL's default
 * {@code max_prepared_transactions} is 0, and the error a client would otherwise get at its first COMMIT says nothing
 * about the proxy, so the check runs before the proxy serves anyone.
 */
public final class PreparedTransactionsCheck {
    private static final String QUERY = "SELECT current_setting('max_prepared_transactions')::int";

    private final ControlConnections connections;

    public PreparedTransactionsCheck(ControlConnections connections) {
        this.connections = connections;
    }

    /** Fails with an {@link IllegalStateException} that says what to change when the endpoint allows none. */
    public Future<Void> verify(BackendEndpoint endpoint) {
        return verify(List.of(endpoint));
    }

    /** Checks every endpoint, and names all that allow none in one message. */
    public Future<Void> verify(List<BackendEndpoint> endpoints) {
        List<Future<Limit>> limits = endpoints.stream().map(this::limitOf).toList();
        return Future.all(limits).compose(all -> {
            List<Limit> tooLow = limits.stream().map(Future::result).filter(limit -> limit.value() <= 0).toList();
            return tooLow.isEmpty() ? Future.succeededFuture() : Future.failedFuture(refusal(tooLow));
        });
    }

    private Future<Limit> limitOf(BackendEndpoint endpoint) {
        return connections.to(endpoint).query(QUERY).execute()
                .map(rows -> new Limit(endpoint, rows.iterator().next().getInteger(0)))
                .recover(failure -> Future.failedFuture(new IllegalStateException(
                        "Could not read max_prepared_transactions on the " + where(endpoint)
                                + ", which the two-phase-commit policy needs: " + failure.getMessage(), failure)));
    }

    private static IllegalStateException refusal(List<Limit> tooLow) {
        String servers = tooLow.stream().map(limit -> where(limit.endpoint()) + ", which has " + limit.value())
                .collect(Collectors.joining(", and on the "));
        String them = tooLow.size() == 1 ? "it" : "them";
        return new IllegalStateException("The two-phase-commit policy needs max_prepared_transactions > 0 on the "
                + servers + ". Set max_prepared_transactions in postgresql.conf (at least the number of client "
                + "connections all Exodus proxies serve at once; the server's max_connections is always enough) "
                + "and restart " + them + ", or choose another policy with exodus.migration.policy. On a managed "
                + "service it is a parameter of the instance, changed in its parameter group (Amazon RDS), database "
                + "flags (Google Cloud SQL) or server parameters (Azure), and also takes effect after a restart.");
    }

    private static String where(BackendEndpoint endpoint) {
        return endpoint.role() + " (" + endpoint.url().host() + ":" + endpoint.url().port() + ")";
    }

    private record Limit(BackendEndpoint endpoint, int value) {
    }
}
