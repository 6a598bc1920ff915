package io.exodus.analyzer;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * After {@link ShadowMigration}: the analyzer reaches the shadow source through a {@link DelayingRelay}, so that a test
 * can make the source slow while a replay runs; the load guard probes often, and each shape replays up to
 * {@link #EXECUTIONS} executions.
 */
public class SlowableSource implements QuarkusTestResourceLifecycleManager {
    static final int EXECUTIONS = 60;
    static final long GUARD_INTERVAL_MILLIS = 50;
    private static DelayingRelay relay;

    static DelayingRelay relay() {
        return relay;
    }

    @Override
    public int order() {
        return 2;
    }

    @Override
    public Map<String, String> start() {
        relay = DelayingRelay.to(ShadowMigration.source().port());
        return Map.of(
                "exodus.analyzer.source-url", ShadowMigration.database(ShadowMigration.source()).withPort(relay.port())
                        .url(),
                "exodus.analyzer.shadow.executions-per-statement", String.valueOf(EXECUTIONS),
                "exodus.analyzer.shadow.load-guard.interval", GUARD_INTERVAL_MILLIS + "ms");
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
        }
    }
}
