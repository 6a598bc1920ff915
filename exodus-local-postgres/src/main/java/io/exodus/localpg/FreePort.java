package io.exodus.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;

/** Asks the kernel for a TCP port on the loopback interface that nothing listens on right now. */
public final class FreePort {
    /**
     * Ports handed out lately: the kernel may hand a port out again as soon as the probe closes it, so two picks in a
     * row (a proxy's listen port and its HTTP port) could get the same one before either is bound. CI saw it.
     */
    private static final int REMEMBERED = 256;
    private static final Deque<Integer> RECENT = new ArrayDeque<>();

    private FreePort() {
    }

    public static int pick() {
        synchronized (RECENT) {
            for (int attempt = 0; ; attempt++) {
                int port = probe();
                if (!RECENT.contains(port) || attempt >= 20) {
                    RECENT.addLast(port);
                    if (RECENT.size() > REMEMBERED) {
                        RECENT.removeFirst();
                    }
                    return port;
                }
            }
        }
    }

    private static int probe() {
        try (ServerSocket socket = new ServerSocket()) {
            // Without SO_REUSEADDR a TIME_WAIT left by our probe could keep the server from binding right after.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on the loopback interface", e);
        }
    }
}
