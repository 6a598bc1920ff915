package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SaslPrepTest {

    @Test
    void asciiPasswordsPassUnchanged() {
        assertEquals("pencil", SaslPrep.prepare("pencil"));
        assertEquals("", SaslPrep.prepare(""));
    }

    @Test
    void asciiPasswordsPassUnchangedEvenWithControlCharactersAsInPostgres() {
        assertEquals("bell\u0007", SaslPrep.prepare("bell\u0007"));
    }

    @Test
    void nonAsciiSpacesBecomeSpaces() {
        assertEquals("pass word", SaslPrep.prepare("pass\u00A0word"));
        assertEquals("ideographic space", SaslPrep.prepare("ideographic\u3000space"));
    }

    @Test
    void zeroWidthSpaceBecomesASpaceAsInPostgresNotNothing() {
        assertEquals("a b", SaslPrep.prepare("a\u200Bb"));
    }

    @Test
    void rfc4013Examples() {
        assertEquals("IX", SaslPrep.prepare("I\u00ADX"));
        assertEquals("a", SaslPrep.prepare("\u00AA"));
        assertEquals("IX", SaslPrep.prepare("\u2168"));
    }

    @Test
    void normalizesToNfkc() {
        assertEquals("\u00E9t\u00E9", SaslPrep.prepare("e\u0301te\u0301"));
        assertEquals("fi", SaslPrep.prepare("\uFB01"));
    }

    @Test
    void invalidStringsFallBackToTheRawPasswordAsInPostgres() {
        // RFC 4013's bidi example: starts right-to-left, ends with a digit.
        assertEquals("\u0627\u0031", SaslPrep.prepare("\u0627\u0031"));
        // A prohibited control character once the password is not pure ASCII; not normalized either.
        assertEquals("e\u0301\u0007", SaslPrep.prepare("e\u0301\u0007"));
        // Right-to-left mixed with left-to-right.
        assertEquals("\u05D0a\u05D0", SaslPrep.prepare("\u05D0a\u05D0"));
        // Only characters mapped to nothing: PostgreSQL refuses the empty result.
        assertEquals("\u00AD", SaslPrep.prepare("\u00AD"));
        // Unpaired surrogate, the Java form of invalid UTF-8.
        assertEquals("x\uD800\u00E9", SaslPrep.prepare("x\uD800\u00E9"));
    }

    @Test
    void codePointsUnassignedInUnicode32AreProhibitedEvenIfAssignedSince() {
        // U+0221 was assigned in Unicode 4.0; stringprep is frozen at 3.2, so PostgreSQL hashes the raw bytes.
        assertEquals("\u0221e\u0301", SaslPrep.prepare("\u0221e\u0301"));
        // An emoji (Unicode 6.1) likewise.
        assertEquals("e\u0301\uD83D\uDE00", SaslPrep.prepare("e\u0301\uD83D\uDE00"));
    }

    @Test
    void validRightToLeftPasswordsAreKept() {
        assertEquals("\u05D0\u05D1", SaslPrep.prepare("\u05D0\u05D1"));
        assertEquals("\u0627\u0031\u0628", SaslPrep.prepare("\u0627\u0031\u0628"));
    }
}
