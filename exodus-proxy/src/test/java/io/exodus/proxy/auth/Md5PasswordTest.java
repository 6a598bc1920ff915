package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Md5PasswordTest {
    private static final String POSTGRES_HASH = "md53175bce1d3201d16594cebf9d7eb3f9d";
    private static final byte[] SALT = {1, 2, 3, 4};

    @Test
    void storedHashMatchesPostgres() {
        assertEquals(POSTGRES_HASH, Md5Password.storedHash("postgres", "postgres"));
    }

    @Test
    void responseIsTheHashOfTheHexDigestAndTheSalt() {
        assertEquals("md568be9ed08db75f318087ab337aaea044", Md5Password.response(POSTGRES_HASH, SALT));
        assertEquals("md56ed93c2b08cab4678861b1558d4d7202",
                Md5Password.response(POSTGRES_HASH, new byte[] {(byte) 0x9a, (byte) 0xff, 0x00, 0x7f}));
    }

    @Test
    void verifiesTheClientsResponse() {
        assertTrue(Md5Password.verify(POSTGRES_HASH, SALT, "md568be9ed08db75f318087ab337aaea044"));
        assertFalse(Md5Password.verify(POSTGRES_HASH, SALT, "md568be9ed08db75f318087ab337aaea045"));
        assertFalse(Md5Password.verify(POSTGRES_HASH, new byte[] {4, 3, 2, 1}, "md568be9ed08db75f318087ab337aaea044"));
        assertFalse(Md5Password.verify(POSTGRES_HASH, SALT, "postgres"));
        assertFalse(Md5Password.verify(POSTGRES_HASH, SALT, null));
    }

    @Test
    void recognisesStoredHashes() {
        assertTrue(Md5Password.isMd5(POSTGRES_HASH));
        assertFalse(Md5Password.isMd5("md5"));
        assertFalse(Md5Password.isMd5("md53175BCE1D3201D16594CEBF9D7EB3F9D"));
        assertFalse(Md5Password.isMd5("md53175bce1d3201d16594cebf9d7eb3f9"));
        assertFalse(Md5Password.isMd5("md5rocks"));
        assertFalse(Md5Password.isMd5(null));
    }

    @Test
    void rejectsABadHashOrSalt() {
        assertThrows(IllegalArgumentException.class, () -> Md5Password.response("postgres", SALT));
        assertThrows(IllegalArgumentException.class, () -> Md5Password.response(POSTGRES_HASH, new byte[3]));
    }
}
