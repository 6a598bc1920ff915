package io.exodus.proxy.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresUrlTest {

    @Test
    void readsEveryPartOfAFullUrl() {
        PostgresUrl url = PostgresUrl.parse(
                "postgresql://app%40corp:p%3Ass+w@db.example.com:6543/orders?sslmode=verify-full&sslrootcert=/ca.pem");
        assertEquals("app@corp", url.user());
        assertEquals("p:ss+w", url.password());
        assertEquals("db.example.com", url.host());
        assertEquals(6543, url.port());
        assertEquals("orders", url.database());
        assertEquals(SslMode.VERIFY_FULL, url.sslMode());
        assertEquals("/ca.pem", url.sslRootCert().orElseThrow());
    }

    @Test
    void defaultsAsLibpqDoes() {
        PostgresUrl url = PostgresUrl.parse("postgres://alice@localhost");
        assertEquals(5432, url.port());
        assertEquals("alice", url.database());
        assertEquals(SslMode.PREFER, url.sslMode());
        assertTrue(url.sslMode().attemptsTls());
        assertFalse(url.sslMode().requiresTls());
    }

    @Test
    void describeNeverShowsThePassword() {
        assertFalse(PostgresUrl.parse("postgresql://u:secret@h:1/d").describe().contains("secret"));
    }

    @Test
    void rejectsOtherSchemesAndUnknownSslModesWithAClearMessage() {
        var scheme = assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse("mysql://u:secret@h/d"));
        assertFalse(scheme.getMessage().contains("secret"));
        var mode = assertThrows(IllegalArgumentException.class,
                () -> PostgresUrl.parse("postgresql://h/d?sslmode=sometimes"));
        assertTrue(mode.getMessage().contains("verify-full"));
    }
}
