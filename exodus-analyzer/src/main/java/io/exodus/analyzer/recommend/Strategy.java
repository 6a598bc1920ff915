package io.exodus.analyzer.recommend;

import com.fasterxml.jackson.annotation.JsonValue;
import io.exodus.analyzer.profile.WorkloadProfile;

import java.util.Locale;

/** The plans over Exodus' phases (docs/strategies.md) the analyzer chooses from today. */
public enum Strategy {
    /** Dual-write, then canary reads on the target in growing shares, then cutover. */
    CANARY,
    /** Dual-write, then one cutover. */
    BIG_BANG;

    /** Canary pays off when there are reads to move: below this share of reads it exercises little of the target. */
    static final double CANARY_READ_SHARE = 0.5;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Choice<Strategy> of(WorkloadProfile workload) {
        if (workload.isEmpty()) {
            return new Choice<>(CANARY, "no captured traffic yet: canary lets the target take reads a share at a time "
                    + "and shows differences before cutover");
        }
        String share = String.format(Locale.ROOT, "%.0f %% of the captured statements are reads",
                workload.readShare() * 100);
        if (workload.readShare() >= CANARY_READ_SHARE) {
            return new Choice<>(CANARY, share + ": canary moves a growing share of them to the target and shows "
                    + "differences before cutover");
        }
        return new Choice<>(BIG_BANG, share + ": writes dominate, so canary reads would exercise little of the target; "
                + "dual-write, verify, then one cutover");
    }
}
