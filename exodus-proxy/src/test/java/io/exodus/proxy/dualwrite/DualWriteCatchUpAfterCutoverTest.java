package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link DualWriteCatchUpTest} with the target as the primary, as after the cutover: the source is the server that
 * stops, and the target's queue brings it what it missed.
 */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCatchUpAfterCutoverTest extends DualWriteCatchUpTest {
}
