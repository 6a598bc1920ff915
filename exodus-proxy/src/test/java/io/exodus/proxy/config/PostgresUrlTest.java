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

    @Test
    void aHostThatIsAFolderNamesTheUnixSocketAsInLibpq() {
        PostgresUrl encoded = PostgresUrl.parse("postgresql://app:pw@%2Fvar%2Frun%2Fpostgresql:5433/orders");
        assertEquals("/var/run/postgresql", encoded.host());
        assertEquals(5433, encoded.port());
        assertEquals("app", encoded.user());
        assertEquals("pw", encoded.password());
        assertEquals("orders", encoded.database());
        assertTrue(encoded.unixSocket());
        assertEquals("/var/run/postgresql/.s.PGSQL.5433", encoded.socketAddress().path());

        PostgresUrl parameter = PostgresUrl.parse("postgresql://app:pw@/orders?host=/tmp/pg&port=6000&sslmode=require");
        assertEquals("/tmp/pg", parameter.host());
        assertEquals(6000, parameter.port());
        assertEquals("app", parameter.user());
        assertEquals("orders", parameter.database());
        assertEquals(SslMode.DISABLE, parameter.sslMode(), "a socket carries no TLS, as libpq ignores sslmode there");
        assertEquals("/tmp/pg/.s.PGSQL.6000", parameter.socketAddress().path());
        assertFalse(parameter.describe().contains("pw"));
        assertTrue(parameter.describe().contains("host=/tmp/pg"));

        PostgresUrl noAuthority = PostgresUrl.parse("postgresql:///orders?host=/tmp/pg");
        assertEquals("postgres", noAuthority.user());
        assertEquals(5432, noAuthority.port());
    }

    @Test
    void theHostParameterOverridesTheAuthorityAndTcpStaysTcp() {
        PostgresUrl url = PostgresUrl.parse("postgresql://u@ignored:1/d?host=db.internal&port=7000");
        assertEquals("db.internal", url.host());
        assertEquals(7000, url.port());
        assertFalse(url.unixSocket());
        assertEquals("db.internal", url.socketAddress().host());
        assertEquals(7000, url.socketAddress().port());
    }

    @Test
    void rejectsAMissingHostAndABadPort() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse("postgresql:///d"))
                .getMessage().contains("names no host"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PostgresUrl.parse("postgresql://u:secret@/d?host=/tmp&port=x")).getMessage().contains("port"));
    }
}
