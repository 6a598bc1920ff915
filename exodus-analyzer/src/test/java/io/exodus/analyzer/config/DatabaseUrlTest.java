package io.exodus.analyzer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

class DatabaseUrlTest {

    @Test
    void readsALibpqUrlWithEncodedCredentials() {
        PgConnectOptions options = DatabaseUrl.parse("source",
                "postgresql://app%40corp:p%40ss%2Fword@db.internal:5433/shop?sslmode=require", Duration.ofSeconds(3))
                .options();
        assertEquals("app@corp", options.getUser());
        assertEquals("p@ss/word", options.getPassword());
        assertEquals("db.internal", options.getHost());
        assertEquals(5433, options.getPort());
        assertEquals("shop", options.getDatabase());
        assertEquals(SslMode.REQUIRE, options.getSslMode());
        assertTrue(options.isTrustAll(), "require encrypts without checking the certificate, as libpq does");
        assertEquals(3000, options.getConnectTimeout());
    }

    @Test
    void verifyFullChecksTheCertificate() {
        PgConnectOptions options = DatabaseUrl.parse("target",
                "postgresql://app:secret@db.internal/shop?sslmode=verify-full", Duration.ofSeconds(10)).options();
        assertEquals(SslMode.VERIFY_FULL, options.getSslMode());
        assertFalse(options.isTrustAll());
    }

    @Test
    void saysWhichSettingIsWrongWithoutShowingThePassword() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("store", "mysql://root:hunter2@db/shop", Duration.ofSeconds(10)));
        assertTrue(refused.getMessage().startsWith("exodus.analyzer.store-url is not a postgresql://"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());
    }
}
