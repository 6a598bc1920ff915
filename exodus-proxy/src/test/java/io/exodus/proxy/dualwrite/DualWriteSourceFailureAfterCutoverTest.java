package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link DualWriteTargetFailureTest} with the target as the primary: the source, the secondary now, stops, and the
 * policies mirrored (old-authoritative needs it, new-authoritative goes on) decide what clients see.
 */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteSourceFailureAfterCutoverTest extends DualWriteTargetFailureTest {
}
