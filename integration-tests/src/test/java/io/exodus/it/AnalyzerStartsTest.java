package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;

/** The packaged analyzer starts on its own and answers its liveness check. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AnalyzerStartsTest {

    @Test
    void startsAndIsLive() {
        int httpPort = FreePorts.pick();
        // ProxyProcess runs any runnable jar in its own JVM; here the analyzer's.
        try (ProxyProcess analyzer = ProxyProcess.start(Support.analyzerJar(),
                Map.of("QUARKUS_HTTP_PORT", String.valueOf(httpPort)), List.of())) {
            // 30 s is plenty on an idle machine (the JVM starts in about 3 s); a loaded 2-core CI box needs more.
            long started = System.nanoTime();
            Support.HttpAnswer live = Support.awaitHttp(httpPort, "/q/health/live", Duration.ofSeconds(60),
                    answer -> answer.isUp() || !analyzer.isAlive());
            assertTrue(live.isUp(), Support.withLog(analyzer, "analyzer liveness within 60 s: " + live));
            System.out.printf("AnalyzerStartsTest: live %d ms after start%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertTrue(analyzer.stop(Duration.ofSeconds(30)), Support.withLog(analyzer, "no exit within 30 s of SIGTERM"));
            assertFalse(Support.listening(httpPort), "the analyzer's HTTP port is closed after it exited");
        }
    }
}
