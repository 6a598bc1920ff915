package io.exodus.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plain TCP relay in front of a server that, once a client sends the marker (say the text of one SQL command),
 * still forwards that command but withholds every later reply on that connection: the server acts, and the client
 * never hears it did. That pins a proxy between two steps of a protocol, to kill it there.
 *
 * <p>It reads bytes, not messages, so only plain-text (sslmode=disable) connections work; a marker split across two
 * reads is still found.
 */
final class WithholdingRelay implements AutoCloseable {

    private static final int BUFFER = 8192;

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final byte[] marker;
    private final CountDownLatch withholding = new CountDownLatch(1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private WithholdingRelay(ServerSocket listener, InetSocketAddress upstream, byte[] marker) {
        this.listener = listener;
        this.upstream = upstream;
        this.marker = marker;
    }

    /** Listens on a free port of 127.0.0.1 and relays every connection to host:port. */
    static WithholdingRelay start(String host, int port, String marker) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        WithholdingRelay relay = new WithholdingRelay(listener, new InetSocketAddress(host, port),
                marker.getBytes(StandardCharsets.UTF_8));
        daemon("relay-accept", relay::acceptLoop);
        return relay;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Whether some client sent the marker within the timeout. */
    boolean awaitWithholding(Duration timeout) throws InterruptedException {
        return withholding.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(WithholdingRelay::closeQuietly);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                sockets.add(client);
                sockets.add(server);
                server.connect(upstream, 5000);
                AtomicBoolean held = new AtomicBoolean();
                daemon("relay-to-server", () -> toServer(client, server, held));
                daemon("relay-to-client", () -> toClient(server, client, held));
            } catch (IOException e) {
                // Closed, or the server refused: the client sees its connection end.
            }
        }
    }

    private void toServer(Socket client, Socket server, AtomicBoolean held) {
        byte[] buffer = new byte[BUFFER + marker.length];
        int carried = 0;
        try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
            int read;
            while ((read = in.read(buffer, carried, BUFFER)) > 0) {
                int length = carried + read;
                // Decided before the bytes leave, so that no reply to them can slip through.
                if (!held.get() && contains(buffer, length, marker)) {
                    held.set(true);
                    withholding.countDown();
                }
                out.write(buffer, carried, read);
                out.flush();
                carried = Math.min(marker.length - 1, length);
                System.arraycopy(buffer, length - carried, buffer, 0, carried);
            }
        } catch (IOException e) {
            // One side went away.
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static void toClient(Socket server, Socket client, AtomicBoolean held) {
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                // Still read while holding, so that the server is never blocked on a full socket.
                if (!held.get()) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // One side went away.
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static boolean contains(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int start = 0; start + needle.length <= length; start++) {
            for (int i = 0; i < needle.length; i++) {
                if (haystack[start + i] != needle[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already closed.
        }
    }
}
