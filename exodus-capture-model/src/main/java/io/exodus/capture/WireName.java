package io.exodus.capture;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The lower-case, dash-separated name an enum constant has in JSON ({@code TWO_WORDS} → {@code two-words}). */
final class WireName {
    private WireName() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equals(text)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(WireName::of).collect(Collectors.joining(", ")));
    }
}
