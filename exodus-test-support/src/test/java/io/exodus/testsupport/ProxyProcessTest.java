package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Drives ProxyProcess with a stand-in jar that listens on $PORT, or exits with $EXIT_CODE if that is set. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProxyProcessTest {

    private static final String STAND_IN = """
            public class StandIn {
                public static void main(String[] args) throws Exception {
                    if (System.getenv("EXIT_CODE") != null) {
                        System.out.println("giving up");
                        System.exit(Integer.parseInt(System.getenv("EXIT_CODE")));
                    }
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("graceful bye")));
                    try (var server = new java.net.ServerSocket(Integer.parseInt(System.getenv("PORT")), 50,
                            java.net.InetAddress.getLoopbackAddress())) {
                        System.out.println("listening");
                        while (true) {
                            server.accept().close();
                        }
                    }
                }
            }
            """;

    private static Path jar;

    @BeforeAll
    static void buildStandInJar(@TempDir Path folder) throws IOException {
        Path source = Files.writeString(folder.resolve("StandIn.java"), STAND_IN);
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", folder.toString(),
                source.toString());
        assertEquals(0, compiled);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "StandIn");
        jar = folder.resolve("stand-in.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("StandIn.class"));
            Files.copy(folder.resolve("StandIn.class"), (OutputStream) out);
            out.closeEntry();
        }
    }

    @Test
    void stopEndsItGracefully() {
        int port = FreePorts.pick();
        try (ProxyProcess proxy = ProxyProcess.start(jar, Map.of("PORT", String.valueOf(port)), List.of())) {
            proxy.awaitListening(port, Duration.ofSeconds(30));
            // The port answers as soon as the stand-in bound it; its "listening" line may still be on its way.
            assertTrue(logSoonContains(proxy, "listening"), proxy.logText());
            assertTrue(proxy.exitCode().isEmpty());

            assertTrue(proxy.stop());

            assertEquals(143, proxy.exitCode().orElseThrow());
            assertTrue(proxy.logText().contains("graceful bye"), proxy.logText());
        }
    }

    private static boolean logSoonContains(ProxyProcess proxy, String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!proxy.logText().contains(text) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return proxy.logText().contains(text);
    }

    @Test
    void kill9GivesItNoChanceToCleanUp() {
        int port = FreePorts.pick();
        try (ProxyProcess proxy = ProxyProcess.start(jar, Map.of("PORT", String.valueOf(port)), List.of())) {
            proxy.awaitListening(port, Duration.ofSeconds(30));

            proxy.kill9();

            assertFalse(proxy.isAlive());
            assertEquals(137, proxy.exitCode().orElseThrow());
            assertFalse(proxy.logText().contains("graceful bye"), proxy.logText());
        }
    }

    @Test
    void awaitListeningFailsFastWithTheLogWhenItExits() {
        try (ProxyProcess proxy = ProxyProcess.start(jar, Map.of("EXIT_CODE", "3"), List.of())) {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> proxy.awaitListening(FreePorts.pick(), Duration.ofSeconds(60)));
            assertTrue(failure.getMessage().contains("giving up"), failure.getMessage());
            assertEquals(3, proxy.exitCode().orElseThrow());
        }
    }
}
