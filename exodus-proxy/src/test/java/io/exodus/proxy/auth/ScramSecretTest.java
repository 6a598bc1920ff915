package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScramSecretTest {
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String STORED_KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String SERVER_KEY = Base64.getEncoder().encodeToString(filled(32, 7));

    @Test
    void parsesPostgresStoredForm() {
        ScramSecret secret = ScramSecret.parse("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + STORED_KEY + ":"
                + SERVER_KEY);

        assertEquals(4096, secret.iterations());
        assertArrayEquals(SALT, secret.salt());
        assertArrayEquals(new byte[32], secret.storedKey());
        assertArrayEquals(filled(32, 7), secret.serverKey());
    }

    @Test
    void storedFormRoundTrips() {
        ScramSecret secret = ScramSecret.fromPassword("pencil", SALT, 4096);

        assertEquals(secret, ScramSecret.parse(secret.toStoredForm()));
        assertTrue(ScramSecret.isScram(secret.toStoredForm()));
    }

    @Test
    void fromPasswordMatchesRfc7677Keys() {
        ScramSecret secret = ScramSecret.fromPassword("pencil", SALT, 4096);
        ScramClientKeys keys = ScramClientKeys.fromPassword("pencil", SALT, 4096);

        assertTrue(secret.isClientKey(keys.clientKey()));
        assertArrayEquals(keys.serverKey(), secret.serverKey());
        assertEquals(secret, keys.secret());
    }

    @Test
    void passwordsAreSaslPreparedBeforeHashing() {
        assertEquals(ScramSecret.fromPassword("pass word", SALT, 16),
                ScramSecret.fromPassword("pass\u00A0word", SALT, 16));
    }

    @Test
    void saltedPasswordIsPbkdf2HmacSha256() throws Exception {
        String longerThanABlock = "a password longer than the 64 bytes of an HMAC-SHA-256 block, which gets hashed first";
        for (String password : new String[] {"pencil", "", "x", longerThanABlock}) {
            byte[] expected = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), SALT, 4096, 256)).getEncoded();

            assertArrayEquals(expected, ScramFunctions.saltedPassword(password, SALT, 4096), password);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "md53175bce1d3201d16594cebf9d7eb3f9d",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==",
        "SCRAM-SHA-256$4096$W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
        "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$KEYS",
        "SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$KEYS",
        "SCRAM-SHA-256$many:W22ZaJ0SNY7soEsUEjb6gQ==$KEYS",
        "SCRAM-SHA-256$4096:$KEYS",
        "SCRAM-SHA-256$4096:not base64!$KEYS",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$c2hvcnQ=:c2hvcnQ=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$KEYS$extra",
        "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$KEYS"
    })
    void rejectsMalformedSecretsWithoutEchoingThem(String stored) {
        String text = stored.replace("KEYS", STORED_KEY + ":" + SERVER_KEY);

        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> ScramSecret.parse(text));

        assertFalse(ScramSecret.isScram(text));
        assertFalse(failure.getMessage().contains(SERVER_KEY), failure.getMessage());
        assertFalse(failure.getMessage().contains("W22ZaJ0SNY7soEsUEjb6gQ"), failure.getMessage());
    }

    @Test
    void toStringHidesTheKeys() {
        ScramSecret secret = ScramSecret.parse("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + STORED_KEY + ":"
                + SERVER_KEY);

        assertFalse(secret.toString().contains(SERVER_KEY));
        assertFalse(secret.toString().contains(STORED_KEY));
    }

    @Test
    void keysMustBelongToTheSecret() {
        ScramSecret secret = ScramSecret.fromPassword("pencil", SALT, 4096);
        byte[] otherClientKey = ScramClientKeys.fromPassword("crayon", SALT, 4096).clientKey();

        assertThrows(IllegalArgumentException.class, () -> ScramClientKeys.from(otherClientKey, secret));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
