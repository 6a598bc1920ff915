package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SecondaryLossCatchUpTest} with the target as the primary: its queue replays into the source. */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SecondaryLossCatchUpAfterCutoverTest extends SecondaryLossCatchUpTest {
}
