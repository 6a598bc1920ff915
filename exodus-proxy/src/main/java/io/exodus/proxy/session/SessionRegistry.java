package io.exodus.proxy.session;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every open client session of this proxy, for graceful shutdown and for status. */
@ApplicationScoped
public class SessionRegistry {
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile TrafficPause pause;

    void add(ClientSession session) {
        sessions.add(session);
    }

    void remove(ClientSession session) {
        sessions.remove(session);
        TrafficPause current = pause;
        if (current != null) {
            current.gone(session);
        }
    }

    public int size() {
        return sessions.size();
    }

    /**
     * From now on new sessions are refused (57P03, as PostgreSQL does during a smart shutdown) and every open
     * session closes as soon as it holds no transaction and no query in flight. The listening socket stays open
     * meanwhile: in Vert.x, closing a NetServer also closes every connection it accepted.
     */
    public void drain() {
        draining = true;
        sessions.forEach(ClientSession::closeWhenIdle);
    }

    public boolean isDraining() {
        return draining;
    }

    /** The migration's phase changed: every open session moves to the new phase's relay between transactions. */
    public void followPhase() {
        sessions.forEach(ClientSession::followPhase);
    }

    /**
     * Holds every session's next transaction until the pause's {@link TrafficPause#resume()}: see {@link TrafficPause}.
     * One pause at a time.
     */
    public synchronized TrafficPause pauseTransactions() {
        if (pause != null) {
            throw new IllegalStateException("traffic is paused already, for " + pause.elapsed().toMillis() + " ms");
        }
        TrafficPause started = new TrafficPause(this, Set.copyOf(sessions));
        pause = started;
        sessions.forEach(session -> session.pauseFor(started));
        return started;
    }

    /** Whether new transactions are paused now. */
    public boolean paused() {
        return pause != null;
    }

    /**
     * Whether a pause is in effect and every session holds it: none has a transaction open, so a change of the route
     * leaves nothing behind.
     */
    public boolean holdsEveryTransaction() {
        TrafficPause current = pause;
        return current != null && current.allHeld().succeeded();
    }

    /**
     * The fleet changed the route of writes without this replica holding its pause: every session not between two
     * transactions is refused at its next request (docs/adr/0032, "Transactions the fleet left behind").
     */
    public void leaveBehindOpenTransactions() {
        sessions.forEach(ClientSession::leaveBehindUnlessQuiet);
    }

    /** The pause in effect, or null. */
    TrafficPause pause() {
        return pause;
    }

    synchronized void resumed(TrafficPause ended) {
        if (pause == ended) {
            pause = null;
            sessions.forEach(ClientSession::resumeAfterPause);
        }
    }

    /** Closes every session now, telling each client why. */
    public void closeAllNow() {
        sessions.forEach(ClientSession::closeForShutdown);
    }
}
