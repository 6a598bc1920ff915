package io.exodus.proxy.sync;

import java.util.List;

/** How the sync's messages name what may be a long list: the first {@value #NAMED}, then how many more. */
final class NamedList {
    static final int NAMED = 10;

    private NamedList() {
    }

    /** "a, b, c" or, past {@value #NAMED} names, "a, …, j and 3 more". */
    static String of(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(NAMED, names.size())))
                + (names.size() > NAMED ? " and " + (names.size() - NAMED) + " more" : "");
    }
}
