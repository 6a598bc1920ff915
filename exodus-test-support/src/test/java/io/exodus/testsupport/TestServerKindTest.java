package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -Dexodus.test.postgres switch: embedded by default, and never silently elsewhere than asked. */
class TestServerKindTest {

    @Test
    void withoutTheSwitchTheServersAreEmbedded() {
        assertEquals(new TestServerKind.Choice(TestServerKind.EMBEDDED, "", false), TestServerKind.choose(null, null));
        assertEquals(TestServerKind.EMBEDDED, TestServerKind.choose("embedded", null).kind());
    }

    @Test
    void testcontainersWithoutADockerEngineFallsBackToEmbeddedSayingWhy(@TempDir Path folder) {
        String absent = "unix://" + folder.resolve("docker.sock");
        TestServerKind.Choice choice = TestServerKind.choose("testcontainers", absent);
        assertEquals(TestServerKind.EMBEDDED, choice.kind());
        assertFalse(choice.refused());
        assertTrue(choice.message().startsWith("-Dexodus.test.postgres=testcontainers: no Docker engine answers at "
                + absent + " ("), choice.message());
        assertTrue(choice.message().endsWith("); the tests run on embedded PostgreSQL servers instead, as without the "
                + "switch"), choice.message());
    }

    @Test
    void testcontainersWhereAnEngineAnswersIsRefusedWithTheReasonNotRunElsewhere() throws Exception {
        try (ServerSocket engine = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerPing(engine));
            answering.start();
            TestServerKind.Choice choice = TestServerKind.choose("testcontainers",
                    "tcp://127.0.0.1:" + engine.getLocalPort());
            answering.join();
            assertTrue(choice.refused(), choice.toString());
            assertTrue(choice.message().contains("a Docker engine answers at tcp://127.0.0.1:"), choice.message());
            assertTrue(choice.message().contains("cannot run its shared servers as containers yet"), choice.message());
        }
    }

    @Test
    void anUnknownValueIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> TestServerKind.choose("docker", null));
        assertEquals("-Dexodus.test.postgres=docker is neither embedded nor testcontainers", refused.getMessage());
    }

    /** Docker's answer to GET /_ping, once. */
    private static void answerPing(ServerSocket engine) {
        try (Socket client = engine.accept()) {
            client.getInputStream().read(new byte[512]);
            client.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nOK"
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
