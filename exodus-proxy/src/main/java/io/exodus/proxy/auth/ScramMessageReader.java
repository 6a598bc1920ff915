package io.exodus.proxy.auth;

import java.util.Base64;

/**
 * Reads the comma-separated {@code a=value} attributes of one SCRAM message in order. RFC 5802 forbids commas
 * inside values, so splitting on them is exact. Every complaint names the message and is a protocol violation.
 */
final class ScramMessageReader {
    private final String messageName;
    private final String[] fields;
    private int next;

    ScramMessageReader(String messageName, String message) {
        if (message == null) {
            throw AuthenticationFailedException.protocolViolation("malformed SCRAM " + messageName
                    + ": the message is missing");
        }
        this.messageName = messageName;
        this.fields = message.split(",", -1);
    }

    /** The raw next field, which need not be an attribute (the gs2 header's fields are not). */
    String readField() {
        if (next >= fields.length) {
            throw malformed("it ends too early");
        }
        return fields[next++];
    }

    boolean nextIs(char attribute) {
        return next < fields.length && fields[next].length() >= 2 && fields[next].charAt(0) == attribute
                && fields[next].charAt(1) == '=';
    }

    boolean atEnd() {
        return next >= fields.length;
    }

    /** The value of the next attribute, which must be {@code attribute}. */
    String read(char attribute) {
        if (!nextIs(attribute)) {
            throw malformed(atEnd() ? "attribute \"" + attribute + "\" is missing"
                    : "expected attribute \"" + attribute + "\" but found \"" + describeNext() + "\"");
        }
        return fields[next++].substring(2);
    }

    /** Skips an optional extension attribute, which must still look like one. */
    void skipAttribute() {
        if (atEnd() || fields[next].length() < 2 || !isAsciiLetter(fields[next].charAt(0))
                || fields[next].charAt(1) != '=') {
            throw malformed(atEnd() ? "an attribute is missing"
                    : "expected an attribute but found \"" + describeNext() + "\"");
        }
        next++;
    }

    byte[] readBase64(char attribute, String what) {
        String value = read(attribute);
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw malformed("the " + what + " is not valid base64");
        }
    }

    /** A nonce: printable ASCII except the comma (RFC 5802's "printable"). */
    String readNonce() {
        String nonce = read('r');
        if (!isPrintable(nonce)) {
            throw malformed(nonce.isEmpty() ? "the nonce is empty" : "the nonce has non-printable characters");
        }
        return nonce;
    }

    void requireEnd() {
        if (!atEnd()) {
            throw malformed("unexpected \"" + describeNext() + "\" at its end");
        }
    }

    AuthenticationFailedException malformed(String reason) {
        return AuthenticationFailedException.protocolViolation("malformed SCRAM " + messageName + ": " + reason);
    }

    static boolean isPrintable(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7E && c != ',');
    }

    private String describeNext() {
        // Only the attribute name: a value may be a proof or a signature, which has no place in a log.
        String field = fields[next];
        return field.length() >= 2 && field.charAt(1) == '=' ? field.substring(0, 2) + "…" : field.length() > 16
                ? field.substring(0, 16) + "…" : field;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
