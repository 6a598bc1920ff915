package io.exodus.analyzer.shadow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * A bound value the client sent in binary format (shipped by the proxy as {@code \x} and hex), written as the text
 * PostgreSQL's input function reads for its declared type, as its send/recv functions define the bytes: integers and
 * floats big-endian, bool one byte, text in the client's encoding (UTF-8), uuid its 16 bytes, date days and
 * timestamp microseconds since 2000-01-01, numeric base-10000 digits. Any other type, or bytes of the wrong length,
 * is not decoded: the replay never guesses a value.
 */
final class BinaryValue {
    static final long BOOL = 16;
    static final long BYTEA = 17;
    static final long INT8 = 20;
    static final long INT2 = 21;
    static final long INT4 = 23;
    static final long TEXT = 25;
    static final long FLOAT4 = 700;
    static final long FLOAT8 = 701;
    static final long BPCHAR = 1042;
    static final long VARCHAR = 1043;
    static final long DATE = 1082;
    static final long TIME = 1083;
    static final long TIMESTAMP = 1114;
    static final long TIMESTAMPTZ = 1184;
    static final long NUMERIC = 1700;
    static final long UUID_TYPE = 2950;

    private static final LocalDate EPOCH = LocalDate.of(2000, 1, 1);
    private static final int NUMERIC_NEGATIVE = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_PLUS_INFINITY = 0xD000;
    private static final int NUMERIC_MINUS_INFINITY = 0xF000;

    private BinaryValue() {
    }

    /** The value's text, or null when this type is not decoded here or the bytes are not one of its values. */
    static String text(String hex, long type) {
        if (hex == null || !hex.startsWith("\\x")) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(hex, 2, hex.length());
        } catch (IllegalArgumentException e) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int length = bytes.length;
        if (type == BYTEA) {
            return hex;
        }
        if (type == TEXT || type == VARCHAR || type == BPCHAR) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (type == BOOL) {
            return length == 1 ? (bytes[0] != 0 ? "true" : "false") : null;
        }
        if (type == INT2) {
            return length == 2 ? Short.toString(in.getShort()) : null;
        }
        if (type == INT4) {
            return length == 4 ? Integer.toString(in.getInt()) : null;
        }
        if (type == INT8) {
            return length == 8 ? Long.toString(in.getLong()) : null;
        }
        if (type == FLOAT4) {
            // Java's shortest form that reads back to the same float; PostgreSQL reads "NaN" and "Infinity" too.
            return length == 4 ? Float.toString(in.getFloat()) : null;
        }
        if (type == FLOAT8) {
            return length == 8 ? Double.toString(in.getDouble()) : null;
        }
        if (type == UUID_TYPE) {
            return length == 16 ? new UUID(in.getLong(), in.getLong()).toString() : null;
        }
        if (type == DATE) {
            return length == 4 ? date(in.getInt()) : null;
        }
        if (type == TIME) {
            return length == 8 ? time(in.getLong()) : null;
        }
        if (type == TIMESTAMP || type == TIMESTAMPTZ) {
            // A timestamptz is sent in UTC; written with its offset it reads the same under any TimeZone.
            return length == 8 ? timestamp(in.getLong(), type == TIMESTAMPTZ) : null;
        }
        if (type == NUMERIC) {
            return numeric(in);
        }
        return null;
    }

    private static String date(int days) {
        if (days == Integer.MAX_VALUE) {
            return "infinity";
        }
        if (days == Integer.MIN_VALUE) {
            return "-infinity";
        }
        return ymd(EPOCH.plusDays(days));
    }

    private static String time(long micros) {
        if (micros < 0 || micros > 86_400_000_000L) {
            return null;
        }
        return micros == 86_400_000_000L ? "24:00:00" : hms(LocalTime.ofNanoOfDay(micros * 1000));
    }

    private static String timestamp(long micros, boolean withZone) {
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        LocalDateTime at = EPOCH.atStartOfDay().plusSeconds(Math.floorDiv(micros, 1_000_000L))
                .plusNanos(Math.floorMod(micros, 1_000_000L) * 1000);
        String date = ymd(at.toLocalDate());
        String era = date.endsWith(" BC") ? " BC" : "";
        String text = date.substring(0, date.length() - era.length()) + " " + hms(at.toLocalTime());
        return text + (withZone ? "+00" : "") + era;
    }

    /** ISO order, as every DateStyle reads it; years before 1 as PostgreSQL writes them ({@code 0044-03-15 BC}). */
    private static String ymd(LocalDate date) {
        int year = date.getYear();
        boolean bc = year <= 0;
        return String.format(Locale.ROOT, "%04d-%02d-%02d%s", bc ? 1 - year : year, date.getMonthValue(),
                date.getDayOfMonth(), bc ? " BC" : "");
    }

    private static String hms(LocalTime time) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%06d", time.getHour(), time.getMinute(), time.getSecond(),
                time.getNano() / 1000);
    }

    /** numeric_send: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000 digits. */
    private static String numeric(ByteBuffer in) {
        if (in.remaining() < 8) {
            return null;
        }
        int digits = in.getShort() & 0xffff;
        int weight = in.getShort();
        int sign = in.getShort() & 0xffff;
        int scale = in.getShort() & 0xffff;
        if (in.remaining() != 2 * digits) {
            return null;
        }
        switch (sign) {
            case NUMERIC_NAN -> {
                return "NaN";
            }
            case NUMERIC_PLUS_INFINITY -> {
                return "Infinity";
            }
            case NUMERIC_MINUS_INFINITY -> {
                return "-Infinity";
            }
            case 0, NUMERIC_NEGATIVE -> {
            }
            default -> {
                return null;
            }
        }
        BigInteger unscaled = BigInteger.ZERO;
        BigInteger base = BigInteger.valueOf(10_000);
        for (int i = 0; i < digits; i++) {
            int digit = in.getShort();
            if (digit < 0 || digit >= 10_000) {
                return null;
            }
            unscaled = unscaled.multiply(base).add(BigInteger.valueOf(digit));
        }
        BigDecimal value = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - digits + 1));
        try {
            // The digits past dscale are the base-10000 group's padding, zeros; anything else is no numeric's.
            value = value.setScale(scale, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            return null;
        }
        return (sign == NUMERIC_NEGATIVE ? value.negate() : value).toPlainString();
    }
}
