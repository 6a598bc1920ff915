package io.exodus.proxy.session;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every open client session of this proxy, for graceful shutdown and for status. */
@ApplicationScoped
public class SessionRegistry {
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();

    void add(ClientSession session) {
        sessions.add(session);
    }

    void remove(ClientSession session) {
        sessions.remove(session);
    }

    public int size() {
        return sessions.size();
    }

    /** Asks every session to close as soon as it holds no transaction and no query in flight. */
    public void closeAllWhenIdle() {
        sessions.forEach(ClientSession::closeWhenIdle);
    }

    /** Closes every session now, telling each client why. */
    public void closeAllNow() {
        sessions.forEach(ClientSession::closeForShutdown);
    }
}
