package io.exodus.capture;

/**
 * A statement as the analyzer keeps it: its text with every literal replaced by a parameter, and the fingerprint that
 * groups every execution of the same statement shape.
 *
 * @param text        the normalised text ({@link SqlNormalizer})
 * @param fingerprint 16 lower-case hex digits ({@link SqlNormalizer#fingerprint})
 * @param constants   how many literals were replaced
 */
public record NormalizedStatement(String text, String fingerprint, int constants) {
    private static final int FINGERPRINT_DIGITS = 16;

    public NormalizedStatement {
        if (text == null) {
            throw new IllegalArgumentException("text is required");
        }
        if (!isFingerprint(fingerprint)) {
            throw new IllegalArgumentException("a fingerprint is 16 lower-case hex digits, not " + fingerprint);
        }
    }

    /** Checked on every captured event on both sides, so by hand: a regular expression costs more than the rest. */
    public static boolean isFingerprint(String candidate) {
        if (candidate == null || candidate.length() != FINGERPRINT_DIGITS) {
            return false;
        }
        for (int i = 0; i < FINGERPRINT_DIGITS; i++) {
            char c = candidate.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
