package io.exodus.proxy.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A value of an enum that a configuration key names in lower case ({@code insert-only}, {@code skip}). */
public interface ConfigChoice {
    String configName();

    /** The choice {@code text} names, or a failure that lists the choices: at start-up, before anything runs. */
    static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String key, String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        E[] choices = type.getEnumConstants();
        for (E choice : choices) {
            if (choice.configName().equals(wanted)) {
                return choice;
            }
        }
        throw new IllegalArgumentException(key + " must be " + Arrays.stream(choices).map(ConfigChoice::configName)
                .collect(Collectors.joining(" or ")) + ", not " + text);
    }
}
