package io.exodus.analyzer.shadow;

import io.exodus.capture.CapturedValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A captured execution's values as the replay writes them into its text: text-format values as they are, binary ones
 * decoded by the type their Parse declared ({@link BinaryValue}). A binary value of a type not decoded, or without a
 * declared type, and a value as long as capture keeps (it may have been cut), make the execution not replayable:
 * a replay of another value would compare another statement.
 */
sealed interface ReplayedValues permits ReplayedValues.Decoded, ReplayedValues.Undecodable {

    /** @param values the values as text, null for SQL NULL; null when none were captured */
    record Decoded(List<String> values) implements ReplayedValues {
    }

    record Undecodable(String reason) implements ReplayedValues {
    }

    /** @param typeNames the SQL names of type OIDs, for the reason */
    static ReplayedValues of(CapturedExecution captured, Map<Long, String> typeNames) {
        List<String> values = captured.parameters();
        if (values == null) {
            return new Decoded(null);
        }
        List<Integer> formats = captured.parameterFormats();
        List<Long> types = captured.parameterTypes();
        List<String> decoded = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            int format = formats == null || i >= formats.size() ? CapturedValues.TEXT : formats.get(i);
            if (value == null || ReplayableSql.REDACTED.equals(value)) {
                decoded.add(value);
                continue;
            }
            String parameter = "$" + (i + 1);
            if (CapturedValues.mayBeCut(value, format)) {
                return new Undecodable(parameter + " is longer than capture keeps of a value ("
                        + (format == CapturedValues.BINARY ? CapturedValues.MAX_BINARY_BYTES + " bytes in binary"
                        : CapturedValues.MAX_TEXT_CHARS + " characters") + "): it may have been cut");
            }
            if (format != CapturedValues.BINARY) {
                decoded.add(value);
                continue;
            }
            long type = types == null || i >= types.size() ? 0 : types.get(i);
            if (type == 0) {
                return new Undecodable(parameter + " was bound in binary without a type its Parse declared");
            }
            String text = BinaryValue.text(value, type);
            if (text == null) {
                return new Undecodable(parameter + " was bound in binary as " + typeNames.getOrDefault(type, "type")
                        + " (OID " + type + "), whose binary form the replay does not decode");
            }
            decoded.add(text);
        }
        return new Decoded(decoded);
    }
}
