package io.exodus.analyzer.shadow;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The optional body of {@code POST /analyzer/shadow}.
 *
 * @param since        replay only what was captured from this instant on; everything when absent
 * @param fingerprints replay only these shapes; all when absent
 * @param writes       {@code skip} (the default) or {@code rollback}
 */
public record ReplayRequest(OffsetDateTime since, List<String> fingerprints, WritesMode writes) {

    public ReplayRequest {
        fingerprints = fingerprints == null ? null : List.copyOf(fingerprints);
        writes = writes == null ? WritesMode.SKIP : writes;
    }

    public static ReplayRequest everything() {
        return new ReplayRequest(null, null, WritesMode.SKIP);
    }
}
