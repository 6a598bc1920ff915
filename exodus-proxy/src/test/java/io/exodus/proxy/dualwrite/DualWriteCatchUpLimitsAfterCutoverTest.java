package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link DualWriteCatchUpLimitsTest} with the target as the primary: the limits of its queue, replayed into the source. */
@QuarkusTest
@TestProfile(CatchUpLimitsAfterCutoverProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCatchUpLimitsAfterCutoverTest extends DualWriteCatchUpLimitsTest {
}
