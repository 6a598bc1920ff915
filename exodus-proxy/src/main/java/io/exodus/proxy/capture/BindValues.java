package io.exodus.proxy.capture;

import io.exodus.capture.CapturedValues;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The values of a Bind message's body, as the analyzer keeps them: text-format values as they are, binary ones as
 * {@code \x} and hex (as bytea prints; the analyzer decodes them by their declared type), SQL NULL as null; each cut
 * to {@link CapturedValues#MAX_TEXT_CHARS} characters.
 *
 * @param formats each value's format code; null when every value is text
 */
record BindValues(List<String> values, List<Integer> formats) {
    private static final HexFormat HEX = HexFormat.of();

    /** The values, or null when the body is not a well-formed Bind. */
    static BindValues decode(byte[] body) {
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
            List<Integer> shipped = new ArrayList<>(count);
            boolean binary = false;
            for (int i = 0; i < count; i++) {
                short format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
                shipped.add((int) format);
                binary |= format != 0;
                int length = in.getInt();
                if (length < 0) {
                    values.add(null);
                    continue;
                }
                int shown = Math.min(length, format == 0 ? CapturedValues.MAX_TEXT_CHARS * 4
                        : CapturedValues.MAX_BINARY_BYTES);
                String value = format == 0
                        ? new String(body, in.position(), shown, StandardCharsets.UTF_8)
                        : "\\x" + HEX.formatHex(body, in.position(), in.position() + shown);
                in.position(in.position() + length);
                values.add(value.length() > CapturedValues.MAX_TEXT_CHARS
                        ? value.substring(0, CapturedValues.MAX_TEXT_CHARS) : value);
            }
            return new BindValues(values, binary ? shipped : null);
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
