package io.exodus.proxy.cancel;

import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The BackendKeyData the proxy hands its clients, and who they belong to. Clients see the proxy's keys, never
 * a backend's: one client session has a backend process on each database, and a CancelRequest must reach the
 * one that is busy. A CancelRequest may arrive on any event loop, hence the concurrent map.
 */
@ApplicationScoped
public class CancelRegistry {

    /** What a session does when its client asks to cancel. */
    public interface Cancellable {
        void cancelInFlight();
    }

    /** The key pair a client receives in BackendKeyData. */
    public record CancelKey(int processId, int secretKey) {
    }

    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger nextProcessId = new AtomicInteger(1 + new SecureRandom().nextInt(1 << 30));
    private final Map<CancelKey, Cancellable> sessions = new ConcurrentHashMap<>();

    public CancelKey register(Cancellable session) {
        CancelKey key = new CancelKey(nextProcessId.getAndIncrement() & Integer.MAX_VALUE, random.nextInt());
        sessions.put(key, session);
        return key;
    }

    public void unregister(CancelKey key) {
        if (key != null) {
            sessions.remove(key);
        }
    }

    /**
     * Cancels what the matching session is running. Unknown keys are ignored, as PostgreSQL does, so that a
     * client cannot probe for other sessions' keys.
     *
     * @return whether the key matched a session
     */
    public boolean cancel(int processId, int secretKey) {
        Cancellable session = sessions.get(new CancelKey(processId, secretKey));
        if (session != null) {
            session.cancelInFlight();
        }
        return session != null;
    }
}
