package io.exodus.proxy.metrics;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The table of names to classes: lookups, removals that keep the rest findable, growth and its limit. */
class NameClassesTest {

    @Test
    void everyKeyStoredIsFoundUntilRemovedWhateverTheRemovalOrder() {
        NameClasses table = new NameClasses(1000, false);
        Map<Long, Integer> expected = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            // Keys that share their low bits, so that runs of neighbouring slots form and removals must shift them.
            long key = ((long) random.nextInt(64) << 32) | (random.nextInt(8) + 1);
            int statementClass = random.nextInt(StatementClass.COUNT);
            table.put(key, statementClass);
            expected.put(key, statementClass);
        }
        for (Long key : expected.keySet().stream().filter(k -> (k & 1) == 0).toList()) {
            table.remove(key);
            expected.remove(key);
            table.remove(key);
        }
        assertEquals(expected.size(), table.size());
        expected.forEach((key, statementClass) -> assertEquals(statementClass, table.get(key), "key " + key));
        for (int i = 0; i < 64; i++) {
            for (int low = 1; low <= 8; low++) {
                long key = ((long) i << 32) | low;
                if (!expected.containsKey(key)) {
                    assertEquals(NameClasses.UNKNOWN, table.get(key), "removed or never stored: " + key);
                }
            }
        }
    }

    @Test
    void aFullTableKeepsWhatItHasOrStartsOver() {
        NameClasses statements = new NameClasses(3, false);
        NameClasses portals = new NameClasses(3, true);
        for (long key = 1; key <= 4; key++) {
            statements.put(key, 1);
            portals.put(key, 1);
        }
        assertEquals(1, statements.get(1));
        assertEquals(NameClasses.UNKNOWN, statements.get(4));
        statements.put(2, 6);
        assertEquals(6, statements.get(2), "a name already there may change its class");
        assertEquals(NameClasses.UNKNOWN, portals.get(1));
        assertEquals(1, portals.get(4));
        assertEquals(1, portals.size());
    }

    @Test
    void aNameIsHashedWhereItLiesAndTheKeyIsNeverZero() {
        byte[] bytes = "..S_1..S_1".getBytes(StandardCharsets.US_ASCII);
        long first = NameClasses.key(Unpooled.wrappedBuffer(bytes), 2, 5);
        assertEquals(first, NameClasses.key(Unpooled.wrappedBuffer(bytes), 7, 10));
        assertNotEquals(first, NameClasses.key(Unpooled.wrappedBuffer(bytes), 2, 4));
        assertNotEquals(0, NameClasses.key(Unpooled.wrappedBuffer(bytes), 0, 0));
        assertEquals(NameClasses.UNKNOWN, new NameClasses(10, false).get(first), "an empty table");
    }
}
