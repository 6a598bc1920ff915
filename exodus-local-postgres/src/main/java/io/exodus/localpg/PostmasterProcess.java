package io.exodus.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a postmaster still runs. pg_ctl detaches the postmaster, so it is not our child: when it exits it stays a
 * zombie until init reaps it, which some container inits do only every few seconds. A zombie holds no port and no
 * files, so it counts as gone here, unlike in {@link ProcessHandle#isAlive()}.
 */
final class PostmasterProcess {

    private static final Path PROC = Path.of("/proc");
    private static final long POLL_MILLIS = 20;

    private PostmasterProcess() {
    }

    static boolean isRunning(long pid) {
        if (!Files.isDirectory(PROC)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        return state(pid).map(state -> state != 'Z' && state != 'X').orElse(false)
                && ProcessHandle.of(pid)
                        .flatMap(process -> process.info().command())
                        .map(command -> command.endsWith("postgres"))
                        // A pid file left by a crash may name a pid an unrelated process has reused since.
                        .orElse(true);
    }

    /** Waits until the process is gone; false if it still runs when the timeout ends. */
    static boolean awaitExit(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** The state letter of /proc/<pid>/stat: "<pid> (<command, may hold spaces and parentheses>) <state> ...". */
    private static Optional<Character> state(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            int afterCommand = stat.lastIndexOf(')');
            return afterCommand < 0 || afterCommand + 2 >= stat.length()
                    ? Optional.empty()
                    : Optional.of(stat.charAt(afterCommand + 2));
        } catch (IOException e) {
            // NoSuchFileException: the process is gone
            return Optional.empty();
        }
    }
}
