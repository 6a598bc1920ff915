package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link DualWriteCopyFromFileTest} with the target as the primary: the file is on the target's host (here the same
 * host), the target reads it itself and the source gets the bytes Exodus read.
 */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCopyFromFileAfterCutoverTest extends DualWriteCopyFromFileTest {
}
