package io.exodus.proxy.control;

import java.util.List;

/**
 * A change made to the fleet's state, once every live replica applied it or the wait ran out.
 *
 * @param appliedBy the live replicas that applied this version
 * @param pending   the live replicas that had not when the answer was given (a replica that cannot read the
 *                  control state keeps its last one)
 */
public record ControlChange(ControlSetting setting, String from, String to, long version, List<String> appliedBy,
        List<String> pending) {
}
