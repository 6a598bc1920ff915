package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SecondaryOnlyCommitTest} with the target as the primary: the source, the secondary now, commits first. */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SecondaryOnlyCommitAfterCutoverTest extends SecondaryOnlyCommitTest {
}
