package io.exodus.localpg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a postmaster's children are doing, read from /proc: for a stop that hangs. PostgreSQL logs that it sent SIGKILL
 * to "recalcitrant children" and then nothing until the last one is gone, so their state (D: uninterruptible, in the
 * kernel), the kernel function they wait in, and their command line are the trace left of why.
 */
final class PostmasterChildren {
    private static final Path PROC = Path.of("/proc");

    private PostmasterChildren() {
    }

    /** One line per child of {@code postmasterPid}: pid, state, wait channel, command line; empty without /proc. */
    static String describe(long postmasterPid) {
        return describe(postmasterPid, false);
    }

    /** As {@link #describe(long)}, and when {@code kill}, each child described is sent SIGKILL. */
    static String describe(long postmasterPid, boolean kill) {
        if (!Files.isDirectory(PROC)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, entry -> entry.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path process : processes) {
                if (describeIfChild(process, postmasterPid, out) && kill) {
                    ProcessHandle.of(Long.parseLong(process.getFileName().toString()))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException e) {
            out.append("(cannot list /proc: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    /** Whether {@code process} is a child of the postmaster (and then described). */
    private static boolean describeIfChild(Path process, long postmasterPid, StringBuilder out) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            int afterCommand = stat.lastIndexOf(')');
            // After the command: " <state> <ppid> ...".
            String[] fields = stat.substring(afterCommand + 2).split(" ");
            if (fields.length < 2 || Long.parseLong(fields[1]) != postmasterPid) {
                return false;
            }
            String wchan = Files.readString(process.resolve("wchan")).strip();
            String command = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
            out.append(process.getFileName()).append(' ').append(fields[0]).append(' ')
                    .append(wchan.isEmpty() ? "-" : wchan).append(' ').append(command).append('\n');
            return true;
        } catch (IOException | RuntimeException e) {
            // The process ended while it was read: nothing to say about it.
            return false;
        }
    }
}
