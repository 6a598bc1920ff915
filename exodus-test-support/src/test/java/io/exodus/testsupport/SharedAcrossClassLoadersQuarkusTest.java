package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Quarkus loads test classes, and so a second copy of TestDatabases, in its own class loader; both copies must still
 * share one pair of servers.
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SharedAcrossClassLoadersQuarkusTest {

    @Test
    void theQuarkusCopyAndThePlainCopyShareOnePair() throws ReflectiveOperationException {
        Class<?> plainCopy = ClassLoader.getSystemClassLoader().loadClass(TestDatabases.class.getName());
        assertNotSame(plainCopy, TestDatabases.class, "expected Quarkus to load its own copy");

        assertEquals(TestDatabases.source().port(), portOf(plainCopy.getMethod("source").invoke(null)));
        assertEquals(TestDatabases.target().port(), portOf(plainCopy.getMethod("target").invoke(null)));
    }

    private static int portOf(Object server) throws ReflectiveOperationException {
        return (int) server.getClass().getMethod("port").invoke(server);
    }
}
