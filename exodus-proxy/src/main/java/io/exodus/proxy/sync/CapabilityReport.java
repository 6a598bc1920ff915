package io.exodus.proxy.sync;

import java.util.List;

/**
 * What the checks before a sync found.
 *
 * @param refusals what keeps the sync from starting, each with what to change; nothing has been written then
 * @param notes    what the sync works around, and how
 */
record CapabilityReport(List<String> refusals, List<String> notes) {

    boolean refused() {
        return !refusals.isEmpty();
    }
}
