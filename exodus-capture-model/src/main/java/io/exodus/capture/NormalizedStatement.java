package io.exodus.capture;

import java.util.regex.Pattern;

/**
 * A statement as the analyzer keeps it: its text with every literal replaced by a parameter, and the fingerprint that
 * groups every execution of the same statement shape.
 *
 * @param text        the normalised text ({@link SqlNormalizer})
 * @param fingerprint 16 lower-case hex digits ({@link SqlNormalizer#fingerprint})
 * @param constants   how many literals were replaced
 */
public record NormalizedStatement(String text, String fingerprint, int constants) {
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");

    public NormalizedStatement {
        if (text == null) {
            throw new IllegalArgumentException("text is required");
        }
        if (!isFingerprint(fingerprint)) {
            throw new IllegalArgumentException("a fingerprint is 16 lower-case hex digits, not " + fingerprint);
        }
    }

    public static boolean isFingerprint(String candidate) {
        return candidate != null && FINGERPRINT.matcher(candidate).matches();
    }
}
