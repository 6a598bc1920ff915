package io.exodus.proxy.auth;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to passwords in src/common/saslprep.c. The server and libpq run the
 * same code, so the proxy must too: any difference changes the SCRAM keys and the login fails.
 */
public final class SaslPrep {

    private SaslPrep() {
    }

    /**
     * The password to hash. A password SASLprep rejects is not an error: PostgreSQL then hashes the raw bytes, so
     * this returns the password unchanged.
     */
    public static String prepare(String password) {
        if (isAscii(password)) {
            // PostgreSQL skips every step for ASCII, even the ban on control characters.
            return password;
        }
        if (hasUnpairedSurrogate(password)) {
            // The Java counterpart of PostgreSQL's "not valid UTF-8" case.
            return password;
        }
        int[] mapped = map(password);
        if (mapped.length == 0 || isProhibited(mapped) || breaksBidiRules(mapped)) {
            return password;
        }
        return Normalizer.normalize(new String(mapped, 0, mapped.length), Normalizer.Form.NFKC);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        return text.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    // U+200B is in both tables; PostgreSQL tests for a space first, so it becomes a space, not nothing.
    private static int[] map(String password) {
        return password.codePoints()
                .filter(c -> StringprepTables.NON_ASCII_SPACE.contains(c)
                        || !StringprepTables.MAPPED_TO_NOTHING.contains(c))
                .map(c -> StringprepTables.NON_ASCII_SPACE.contains(c) ? ' ' : c)
                .toArray();
    }

    // PostgreSQL checks the prohibited and bidi tables against the mapped input, not the NFKC output as RFC 3454
    // says; matching its quirk is what keeps the keys equal.
    private static boolean isProhibited(int[] codePoints) {
        for (int c : codePoints) {
            if (StringprepTables.PROHIBITED_OUTPUT.contains(c) || StringprepTables.UNASSIGNED.contains(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean breaksBidiRules(int[] codePoints) {
        boolean hasRightToLeft = false;
        boolean hasLeftToRight = false;
        for (int c : codePoints) {
            hasRightToLeft |= StringprepTables.RIGHT_TO_LEFT.contains(c);
            hasLeftToRight |= StringprepTables.LEFT_TO_RIGHT.contains(c);
        }
        if (!hasRightToLeft) {
            return false;
        }
        return hasLeftToRight
                || !StringprepTables.RIGHT_TO_LEFT.contains(codePoints[0])
                || !StringprepTables.RIGHT_TO_LEFT.contains(codePoints[codePoints.length - 1]);
    }
}
