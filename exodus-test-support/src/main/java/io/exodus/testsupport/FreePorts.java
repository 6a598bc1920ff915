package io.exodus.testsupport;

import io.exodus.localpg.FreePort;

/** Free TCP ports on the loopback interface, for the proxy and anything else a test starts. */
public final class FreePorts {

    private FreePorts() {
    }

    public static int pick() {
        return FreePort.pick();
    }
}
