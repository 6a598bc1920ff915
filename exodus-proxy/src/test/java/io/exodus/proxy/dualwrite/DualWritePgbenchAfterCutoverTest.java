package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.QueryMode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link DualWritePgbenchTest} with the target as the primary, as after the cutover: every policy once, the query
 * modes taken in turn, rather than the whole matrix again (each run is 6 s of pgbench; the modes' own paths are the
 * same code in either direction).
 */
@QuarkusTest
@TestProfile(TargetPrimaryProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWritePgbenchAfterCutoverTest extends DualWritePgbenchTest {

    /** Hides the matrix of the class above: JUnit looks the source up on this class first. */
    static Stream<Arguments> policiesAndModes() {
        List<Arguments> cases = new ArrayList<>();
        QueryMode[] modes = QueryMode.values();
        ConsistencyPolicy[] policies = ConsistencyPolicy.values();
        for (int i = 0; i < policies.length; i++) {
            cases.add(Arguments.of(policies[i], modes[i % modes.length]));
        }
        return cases.stream();
    }
}
