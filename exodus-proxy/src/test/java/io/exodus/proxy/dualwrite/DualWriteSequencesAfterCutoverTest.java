package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link DualWriteSequencesTest} with the target as the primary: the source's sequences follow the target's. */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteSequencesAfterCutoverTest extends DualWriteSequencesTest {
}
