package io.exodus.proxy.cancel;

import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BackendKeyData the proxy hands its clients, and who they belong to. The process id is the one of the backend
 * that answers the client (the primary's), so that {@code pg_backend_pid()}, {@code pg_terminate_backend} and the
 * pid in notifications mean what they mean directly; the secret key is Exodus' own, so that a CancelRequest comes to
 * Exodus (a client never learns a backend's secret), which forwards it to whichever of the session's backends is
 * busy. A CancelRequest may arrive on any event loop, hence the concurrent map.
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
    private final Map<CancelKey, Cancellable> sessions = new ConcurrentHashMap<>();

    /**
     * @param processId the process id of the backend that answers the session (two databases may reuse one: the
     *                  secret keys tell their sessions apart)
     */
    public CancelKey register(Cancellable session, int processId) {
        while (true) {
            CancelKey key = new CancelKey(processId, random.nextInt());
            if (sessions.putIfAbsent(key, session) == null) {
                return key;
            }
        }
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
