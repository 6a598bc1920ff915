package io.exodus.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line itself, before any proxy answers: options, the environment, usage errors. */
class ExodusCommandLineTest {

    @Test
    void optionsWorkBeforeAndAfterTheCommandName() throws IOException {
        String closed = "http://127.0.0.1:" + closedPort();
        for (String[] args : new String[][] { { "--url", closed, "status" }, { "status", "--url", closed } }) {
            Run run = run(Map.of(), args);
            assertEquals(ExitCode.UNREACHABLE.code(), run.exitCode());
            assertTrue(run.err().contains(closed), run.err());
        }
    }

    @Test
    void theUrlComesFromTheEnvironmentUnlessGiven() throws IOException {
        String closed = "http://127.0.0.1:" + closedPort();
        Run run = run(Map.of("EXODUS_ADMIN_URL", closed), "status", "--json");
        assertEquals(ExitCode.UNREACHABLE.code(), run.exitCode());
        assertTrue(run.out().contains("\"exitCode\" : 5") && run.out().contains(closed), run.out());
    }

    @Test
    void aWrongCommandLineIsAUsageError() {
        assertEquals(ExitCode.USAGE.code(), run(Map.of(), "canary", "abc").exitCode());
        Run tenant = run(Map.of(), "tenant", "alice", "most");
        assertEquals(ExitCode.USAGE.code(), tenant.exitCode());
        assertTrue(tenant.err().contains("0 to 100, or rollback"), tenant.err());
        assertEquals(ExitCode.USAGE.code(), run(Map.of(), "tenant", "alice").exitCode());
        assertEquals(ExitCode.USAGE.code(), run(Map.of(), "status", "--url", "ftp://proxy").exitCode());
        assertEquals(ExitCode.USAGE.code(), run(Map.of(), "launch").exitCode());
        assertEquals(ExitCode.USAGE.code(), run(Map.of()).exitCode());
    }

    @Test
    void helpListsTheExitCodes() {
        Run help = run(Map.of(), "--help");
        assertEquals(0, help.exitCode());
        for (ExitCode code : ExitCode.values()) {
            assertTrue(help.out().contains(code.meaning().substring(0, Math.min(20, code.meaning().length()))), code + " in " + help.out());
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Exodus.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment, false);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A port that nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
