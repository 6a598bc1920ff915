package io.exodus.proxy.dualwrite;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A proxy in phase dual-write in front of the shared source and target; tests switch the policy at run time. */
public class DualWriteProfile implements QuarkusTestProfile {
    /** The admin API's bearer token in these tests. */
    public static final String TOKEN = "test-admin-token";
    /** The largest server file a COPY … FROM 'file' reads in these tests. */
    public static final int COPY_FROM_FILE_MAX_BYTES = 4 * 1024 * 1024;
    /** The largest large object a statement may create in these tests. */
    public static final int LARGE_OBJECT_MAX_BYTES = 1024 * 1024;
    /** What one request's row images may hold in memory in these tests. */
    public static final int ROW_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
    /** How often the target's sequences follow the source's in these tests. */
    public static final java.time.Duration SEQUENCE_FOLLOW = java.time.Duration.ofSeconds(1);
    /** How often, at most, a session tries to connect its lost secondary again in these tests. */
    public static final java.time.Duration SECONDARY_RECONNECT = java.time.Duration.ofSeconds(1);
    /** The silence after which the proxy's sockets probe their peer in these tests: not the default 60 s. */
    public static final java.time.Duration KEEPALIVE_IDLE = java.time.Duration.ofSeconds(37);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(Map.entry("exodus.migration.phase", "dual-write"),
                Map.entry("exodus.migration.policy", "both-required"),
                Map.entry("exodus.migration.proxy-id", "dualwritetest"),
                Map.entry("exodus.admin.token", TOKEN),
                // StalledReplayTest waits for this warning.
                Map.entry("exodus.replay.stall-warning", "2s"),
                // DualWriteCopyFromFileTest's refusal of a larger file.
                Map.entry("exodus.migration.copy-from-file-max-bytes", String.valueOf(COPY_FROM_FILE_MAX_BYTES)),
                // DualWriteLargeObjectsTest's refusal of a larger object.
                Map.entry("exodus.migration.large-object-max-bytes", String.valueOf(LARGE_OBJECT_MAX_BYTES)),
                // DualWriteDeterminismTest's statement with more rows than an image may hold.
                Map.entry("exodus.migration.row-image-max-bytes", String.valueOf(ROW_IMAGE_MAX_BYTES)),
                // DualWriteSequencesTest waits for the target's sequences to follow.
                Map.entry("exodus.migration.sequence-follow", SEQUENCE_FOLLOW.toMillis() + "ms"),
                // Tests that stop the secondary wait for their sessions to have it again: 5 s by default, each time.
                Map.entry("exodus.migration.secondary-reconnect-interval", SECONDARY_RECONNECT.toMillis() + "ms"),
                // TcpKeepaliveTest finds it on every socket of a session. Here rather than in a profile of its own,
                // which would cost the suite one more build and start of the application; a probe after 37 s of
                // silence instead of 60 s changes nothing for the other tests.
                Map.entry("exodus.tcp.keepalive-idle", KEEPALIVE_IDLE.toSeconds() + "s"));
    }
}
