package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test once under each policy that promises every write on both databases, both-required and
 * two-phase-commit; the test takes the {@link ConsistencyPolicy} as its parameter and switches to it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@EnumSource(value = ConsistencyPolicy.class, names = { "BOTH_REQUIRED", "TWO_PHASE_COMMIT" })
@interface UnderPoliciesPromisingBoth {
}
