package io.exodus.proxy.auth;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SCRAM keys derived from a password, kept per salt and iteration count. Deriving them costs thousands of
 * HMACs (PBKDF2), and every backend session the proxy opens with a password would otherwise pay it on the
 * event loop, although the backend's salt for a user never changes until its password does.
 */
final class SaltedKeyCache {
    private static final int MAX_ENTRIES = 1024;
    private static final Map<Key, ScramClientKeys> KEYS = new ConcurrentHashMap<>();

    private record Key(String password, String salt, int iterations) {
    }

    private SaltedKeyCache() {
    }

    static ScramClientKeys keysFor(String password, byte[] salt, int iterations) {
        Key key = new Key(password, Arrays.toString(salt), iterations);
        ScramClientKeys keys = KEYS.get(key);
        if (keys == null) {
            keys = ScramClientKeys.fromPassword(password, salt, iterations);
            if (KEYS.size() >= MAX_ENTRIES) {
                // Only a proxy serving more user-and-salt pairs than this gets here; starting over is cheap.
                KEYS.clear();
            }
            KEYS.put(key, keys);
        }
        return keys;
    }
}
