package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Binary-format values written as the text their type's input function reads, from the bytes its send function makes. */
class BinaryValueTest {

    @Test
    void integersFloatsBoolAndUuidFromTheirFixedSizeForms() {
        assertEquals("-2", BinaryValue.text(hex(ByteBuffer.allocate(2).putShort((short) -2)), BinaryValue.INT2));
        assertEquals("42", BinaryValue.text("\\x0000002a", BinaryValue.INT4));
        assertEquals("-9000000000", BinaryValue.text(hex(ByteBuffer.allocate(8).putLong(-9_000_000_000L)),
                BinaryValue.INT8));
        assertEquals("0.1", BinaryValue.text(hex(ByteBuffer.allocate(4).putFloat(0.1f)), BinaryValue.FLOAT4));
        assertEquals("0.1", BinaryValue.text(hex(ByteBuffer.allocate(8).putDouble(0.1)), BinaryValue.FLOAT8));
        assertEquals("NaN", BinaryValue.text(hex(ByteBuffer.allocate(8).putDouble(Double.NaN)), BinaryValue.FLOAT8));
        assertEquals("true", BinaryValue.text("\\x01", BinaryValue.BOOL));
        UUID uuid = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertEquals(uuid.toString(), BinaryValue.text(hex(ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())), BinaryValue.UUID_TYPE));
        assertNull(BinaryValue.text("\\x000000", BinaryValue.INT4), "three bytes are no int4");
    }

    @Test
    void textAndByteaAsThemselves() {
        assertEquals("héllo", BinaryValue.text("\\x68c3a96c6c6f", BinaryValue.TEXT));
        assertEquals("\\x00ff", BinaryValue.text("\\x00ff", BinaryValue.BYTEA));
    }

    @Test
    void datesAndTimestampsCountFromTheTurnOfTheMillennium() {
        assertEquals("2000-01-02", BinaryValue.text(hex(ByteBuffer.allocate(4).putInt(1)), BinaryValue.DATE));
        assertEquals("1999-12-31", BinaryValue.text(hex(ByteBuffer.allocate(4).putInt(-1)), BinaryValue.DATE));
        assertEquals("infinity", BinaryValue.text(hex(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE)),
                BinaryValue.DATE));
        long micros = (Instant.parse("2026-12-06T19:30:05.123456Z").getEpochSecond() - 946_684_800L) * 1_000_000L
                + 123_456;
        assertEquals("2026-12-06 19:30:05.123456", BinaryValue.text(hex(ByteBuffer.allocate(8).putLong(micros)),
                BinaryValue.TIMESTAMP));
        assertEquals("2026-12-06 19:30:05.123456+00", BinaryValue.text(hex(ByteBuffer.allocate(8).putLong(micros)),
                BinaryValue.TIMESTAMPTZ));
        // Both PostgreSQL and java.time count in the proleptic Gregorian calendar; year -43 is 44 BC.
        int idesOfMarch = (int) ChronoUnit.DAYS.between(LocalDate.of(2000, 1, 1), LocalDate.of(-43, 3, 15));
        assertEquals("0044-03-15 BC", BinaryValue.text(hex(ByteBuffer.allocate(4).putInt(idesOfMarch)),
                BinaryValue.DATE));
    }

    @Test
    void numericFromItsBase10000DigitsToItsDisplayScale() {
        assertEquals("12345.678", BinaryValue.text(numeric(1, 0, 3, 1, 2345, 6780), BinaryValue.NUMERIC));
        assertEquals("-0.5", BinaryValue.text(numeric(-1, 0x4000, 1, 5000), BinaryValue.NUMERIC));
        assertEquals("0.00", BinaryValue.text(numeric(0, 0, 2), BinaryValue.NUMERIC));
        assertEquals("100000000", BinaryValue.text(numeric(2, 0, 0, 1), BinaryValue.NUMERIC));
        assertEquals("NaN", BinaryValue.text(numeric(0, 0xC000, 0), BinaryValue.NUMERIC));
        assertNull(BinaryValue.text(numeric(0, 0, 0, 1, 5), BinaryValue.NUMERIC), "1.0005 shown with scale 0");
    }

    @Test
    void otherTypesAreNotDecodedAndTheExecutionSaysWhy() {
        assertNull(BinaryValue.text("\\x00000001", 1186));
        CapturedExecution interval = new CapturedExecution(Instant.now(), List.of("\\x00000001"), List.of(1186L),
                null, List.of(1));
        ReplayedValues values = ReplayedValues.of(interval, Map.of(1186L, "interval"));
        assertTrue(values instanceof ReplayedValues.Undecodable undecodable
                && undecodable.reason().contains("interval (OID 1186)"), values.toString());
        CapturedExecution bound = new CapturedExecution(Instant.now(), Arrays.asList("\\x0000002a", "x", null),
                List.of(23L, 0L, 23L), null, List.of(1, 0, 1));
        assertEquals(new ReplayedValues.Decoded(Arrays.asList("42", "x", null)), ReplayedValues.of(bound, Map.of()));
        CapturedExecution cut = new CapturedExecution(Instant.now(), List.of("y".repeat(1024)), null, null, null);
        assertTrue(ReplayedValues.of(cut, Map.of()) instanceof ReplayedValues.Undecodable);
    }

    private static String numeric(int weight, int sign, int scale, int... digits) {
        ByteBuffer bytes = ByteBuffer.allocate(8 + 2 * digits.length).putShort((short) digits.length)
                .putShort((short) weight).putShort((short) sign).putShort((short) scale);
        for (int digit : digits) {
            bytes.putShort((short) digit);
        }
        return hex(bytes);
    }

    private static String hex(ByteBuffer bytes) {
        return "\\x" + HexFormat.of().formatHex(bytes.array());
    }
}
