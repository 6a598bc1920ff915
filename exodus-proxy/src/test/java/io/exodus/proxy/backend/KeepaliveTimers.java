package io.exodus.proxy.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernel's timer of an established TCP connection on this machine, read from /proc/net/tcp and tcp6 (no ss
 * needed; Netty's epoll transport opens IPv6 sockets that carry IPv4 as mapped addresses). On an idle connection with
 * keepalive it is the keepalive timer, due after the socket's keepalive idle time.
 */
final class KeepaliveTimers {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";
    /** The "tr" column: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe. */
    private static final String KEEPALIVE = "02";
    /** /proc/net/tcp counts timers in USER_HZ ticks. */
    private static final long TICKS_PER_SECOND = 100;

    record Timer(boolean keepalive, Duration due) {
    }

    private KeepaliveTimers() {
    }

    /**
     * The timer of the connection from localPort to remotePort (0: to any port, the first found); empty when there is
     * no such connection.
     */
    static Optional<Timer> of(int localPort, int remotePort) throws IOException {
        String local = ":" + hex(localPort);
        String remote = remotePort == 0 ? ":" : ":" + hex(remotePort);
        List<String> lines = new ArrayList<>();
        for (Path table : TABLES) {
            List<String> rows = Files.readAllLines(table);
            lines.addAll(rows.subList(1, rows.size()));
        }
        return lines.stream().map(line -> line.trim().split("\\s+"))
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when …
                .filter(fields -> fields[1].endsWith(local) && fields[2].contains(remote)
                        && fields[3].equals(ESTABLISHED))
                .findFirst()
                .map(fields -> fields[5].split(":"))
                .map(timer -> new Timer(timer[0].equals(KEEPALIVE),
                        Duration.ofMillis(Long.parseLong(timer[1], 16) * 1000 / TICKS_PER_SECOND)));
    }

    private static String hex(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }
}
