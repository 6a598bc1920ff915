package io.exodus.proxy.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The values of a Bind message's body, as the analyzer keeps them: text-format values as they are, binary ones as
 * {@code \x} and hex (as bytea prints), SQL NULL as null; each cut to {@link #MAX_VALUE_CHARS} characters.
 */
final class BindValues {
    static final int MAX_VALUE_CHARS = 1024;
    private static final HexFormat HEX = HexFormat.of();

    private BindValues() {
    }

    /** The values, or null when the body is not a well-formed Bind. */
    static List<String> decode(byte[] body) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            skipCString(in);
            skipCString(in);
            short[] formats = new short[in.getShort()];
            for (int i = 0; i < formats.length; i++) {
                formats[i] = in.getShort();
            }
            int count = in.getShort() & 0xffff;
            List<String> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0) {
                    values.add(null);
                    continue;
                }
                short format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
                int shown = Math.min(length, format == 0 ? MAX_VALUE_CHARS * 4 : MAX_VALUE_CHARS / 2);
                String value = format == 0
                        ? new String(body, in.position(), shown, StandardCharsets.UTF_8)
                        : "\\x" + HEX.formatHex(body, in.position(), in.position() + shown);
                in.position(in.position() + length);
                values.add(value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value);
            }
            return values;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static void skipCString(ByteBuffer in) {
        while (in.get() != 0) {
            // the name's bytes
        }
    }
}
