package io.exodus.analyzer.checks;

import java.util.List;

/** How evidence names many objects: the first few, then how many more, so a check's line stays readable. */
final class Evidence {
    static final int SHOWN = 8;
    /** Said by the checks that compare with a target when there is none. */
    static final String NO_TARGET = "no target configured (exodus.analyzer.target-url), so it was not checked there";

    private Evidence() {
    }

    static String sample(List<String> items) {
        if (items.size() <= SHOWN) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, SHOWN)) + " and " + (items.size() - SHOWN) + " more";
    }

    static String plural(long count, String singular, String plural) {
        return count + " " + (count == 1 ? singular : plural);
    }
}
