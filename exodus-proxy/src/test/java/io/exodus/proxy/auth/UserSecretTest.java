package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserSecretTest {
    private static final String SCRAM = ScramSecret.fromPassword("pencil", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 4096)
            .toStoredForm();

    @Test
    void recognisesAScramSecret() {
        UserSecret secret = UserSecret.fromStored(SCRAM);

        UserSecret.StoredScram scram = assertInstanceOf(UserSecret.StoredScram.class, secret);
        assertEquals(ScramSecret.parse(SCRAM), scram.secret());
        assertTrue(secret.canAnswerScram());
        assertFalse(secret.canAnswerMd5());
    }

    @Test
    void recognisesAnMd5Hash() {
        UserSecret secret = UserSecret.fromStored("md53175bce1d3201d16594cebf9d7eb3f9d");

        UserSecret.StoredMd5 md5 = assertInstanceOf(UserSecret.StoredMd5.class, secret);
        assertEquals("md53175bce1d3201d16594cebf9d7eb3f9d", md5.hash());
        assertFalse(secret.canAnswerScram());
        assertTrue(secret.canAnswerMd5());
    }

    @Test
    void takesAnythingElseForAPlainPassword() {
        UserSecret secret = UserSecret.fromStored("md5rocks");

        UserSecret.PlainPassword plain = assertInstanceOf(UserSecret.PlainPassword.class, secret);
        assertEquals("md5rocks", plain.password());
        assertTrue(secret.canAnswerScram());
        assertTrue(secret.canAnswerMd5());
    }

    @Test
    void refusesAMissingPasswordAndADamagedScramSecret() {
        assertThrows(IllegalArgumentException.class, () -> UserSecret.fromStored(null));
        assertThrows(IllegalArgumentException.class, () -> UserSecret.fromStored(""));
        assertThrows(IllegalArgumentException.class,
                () -> UserSecret.fromStored(SCRAM.substring(0, SCRAM.length() - 4)));
    }

    @Test
    void toStringHidesPasswordsAndHashes() {
        assertFalse(new UserSecret.PlainPassword("hunter2").toString().contains("hunter2"));
        assertFalse(UserSecret.fromStored("md53175bce1d3201d16594cebf9d7eb3f9d").toString().contains("3175bce1"));
    }
}
