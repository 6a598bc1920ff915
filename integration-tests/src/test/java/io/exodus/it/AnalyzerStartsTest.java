package io.exodus.it;

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
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AnalyzerStartsTest {

    @Test
    void startsAndIsLive() {
        int httpPort = FreePorts.pick();
        // ProxyProcess runs any runnable jar in its own JVM; here the analyzer's.
        try (ProxyProcess analyzer = ProxyProcess.start(It.analyzerJar(),
                Map.of("QUARKUS_HTTP_PORT", String.valueOf(httpPort)), List.of())) {
            It.HttpAnswer live = It.awaitHttp(httpPort, "/q/health/live", Duration.ofSeconds(30),
                    answer -> answer.isUp() || !analyzer.isAlive());
            assertTrue(live.isUp(), It.withLog(analyzer, "analyzer liveness within 30 s: " + live));
            assertTrue(analyzer.stop(Duration.ofSeconds(30)), It.withLog(analyzer, "no exit within 30 s of SIGTERM"));
            assertTrue(!It.listening(httpPort), "the analyzer's HTTP port is closed after it exited");
        }
    }
}
