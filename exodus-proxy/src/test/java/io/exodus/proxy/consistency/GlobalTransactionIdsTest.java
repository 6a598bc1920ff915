package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class GlobalTransactionIdsTest {

    @Test
    void gidsCarryTheSanitisedProxyIdAndAGrowingCounter() {
        GlobalTransactionIds ids = new GlobalTransactionIds("Exodus-Proxy.7f9c");
        String first = ids.next(Side.SOURCE);
        String second = ids.next(Side.SOURCE);

        assertEquals("exodus_proxy_7f9c", ids.proxyId());
        assertTrue(first.startsWith("exodus_exodus_proxy_7f9c_"), first);
        assertTrue(first.matches("exodus_[a-z0-9_]+"), first);
        assertTrue(counter(second) > counter(first));
    }

    @Test
    void aRestartedProxyStartsAboveTheCountersItUsedBefore() throws InterruptedException {
        String before = new GlobalTransactionIds("p").next(Side.SOURCE);
        Thread.sleep(2);
        String after = new GlobalTransactionIds("p").next(Side.SOURCE);

        assertTrue(counter(after) > counter(before) + 1000, before + " then " + after);
    }

    @Test
    void theProxyIdParsesBackEvenWithUnderscores() {
        GlobalTransactionIds ids = new GlobalTransactionIds("pod_a_1");
        String gid = ids.next(Side.SOURCE);

        assertEquals(Optional.of("pod_a_1"), GlobalTransactionIds.proxyIdOf(gid));
        assertTrue(ids.isOwn(gid));
        assertFalse(new GlobalTransactionIds("pod_a").isOwn(gid));
        assertFalse(new GlobalTransactionIds("a_1").isOwn(gid));
    }

    @Test
    void onlyExodusGidsAreOurs() {
        assertTrue(GlobalTransactionIds.isExodus("exodus_p_1"));
        assertFalse(GlobalTransactionIds.isExodus("pgdog_p_1"));
        assertFalse(GlobalTransactionIds.isExodus("exodus_p_1'; DROP TABLE t; --"));
        assertFalse(GlobalTransactionIds.isExodus("Exodus_P_1"));
        assertFalse(GlobalTransactionIds.isExodus(null));
        assertEquals(Optional.empty(), GlobalTransactionIds.proxyIdOf("exodus_nocounter"));
        assertEquals(Optional.empty(), GlobalTransactionIds.proxyIdOf("something_else_1"));
    }

    @Test
    void aTransactionTheTargetDecidesSaysSo() {
        GlobalTransactionIds ids = new GlobalTransactionIds("pod_a_1");
        String bySource = ids.next(Side.SOURCE);
        String byTarget = ids.next(Side.TARGET);

        assertTrue(byTarget.endsWith("_t"), byTarget);
        assertEquals(Side.SOURCE, GlobalTransactionIds.primaryOf(bySource));
        assertEquals(Side.TARGET, GlobalTransactionIds.primaryOf(byTarget));
        assertTrue(GlobalTransactionIds.isExodus(byTarget));
        assertEquals(Optional.of("pod_a_1"), GlobalTransactionIds.proxyIdOf(byTarget));
        assertTrue(ids.isOwn(byTarget));
        assertEquals(Optional.of("t"), GlobalTransactionIds.proxyIdOf("exodus_t_5"));
        assertEquals(Side.SOURCE, GlobalTransactionIds.primaryOf("exodus_t_5"));
    }

    @Test
    void longProxyIdsKeepTheirBeginningAndAHashOfTheWhole() {
        String a = GlobalTransactionIds.sanitise("exodus-proxy-deployment-5d8f9c7b6d-x2k4p");
        String b = GlobalTransactionIds.sanitise("exodus-proxy-deployment-5d8f9c7b6d-x2k4q");

        assertEquals(GlobalTransactionIds.MAX_PROXY_ID_LENGTH, a.length());
        assertTrue(a.startsWith("exodus_proxy_deployment_5d8f9c"), a);
        assertNotEquals(a, b);
        assertEquals("proxy", GlobalTransactionIds.sanitise(""));
        assertEquals("h_st_name", GlobalTransactionIds.sanitise("H\u00f6st name"));
    }

    private static long counter(String gid) {
        String digits = gid.endsWith("_t") ? gid.substring(0, gid.length() - 2) : gid;
        return Long.parseLong(digits.substring(digits.lastIndexOf('_') + 1));
    }
}
