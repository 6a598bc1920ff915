package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class SaltedKeyCacheTest {

    @Test
    void derivesOncePerPasswordSaltAndIterations() {
        byte[] salt = { 1, 2, 3, 4 };
        ScramClientKeys first = SaltedKeyCache.keysFor("pencil", salt, 4096);
        assertSame(first, SaltedKeyCache.keysFor("pencil", salt.clone(), 4096));
        assertArrayEquals(ScramClientKeys.fromPassword("pencil", salt, 4096).clientKey(), first.clientKey());
    }

    @Test
    void anotherSaltIterationCountOrPasswordDerivesAgain() {
        byte[] salt = { 9, 8, 7, 6 };
        ScramClientKeys keys = SaltedKeyCache.keysFor("pencil", salt, 4096);
        assertNotSame(keys, SaltedKeyCache.keysFor("pencil", new byte[] { 9, 8, 7, 5 }, 4096));
        assertNotSame(keys, SaltedKeyCache.keysFor("pencil", salt, 4097));
        assertNotSame(keys, SaltedKeyCache.keysFor("pen", salt, 4096));
    }
}
