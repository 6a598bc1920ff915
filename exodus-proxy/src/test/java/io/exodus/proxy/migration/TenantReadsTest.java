package io.exodus.proxy.migration;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenants' shares as the control state keeps them, and what names a session's tenant. */
class TenantReadsTest {

    @Test
    void sharesRoundTripThroughTheirJsonWhateverTheTenantsName() {
        TenantReads shares = TenantReads.NONE.with("alpha", 100).with("b\"e,t=a", 25).with("", 5);
        assertEquals(shares, TenantReads.parse(shares.json()));
        assertEquals(OptionalDouble.of(25), shares.shareOf("b\"e,t=a"));
        assertEquals(OptionalDouble.empty(), shares.without("alpha").shareOf("alpha"));
        assertEquals(TenantReads.NONE, TenantReads.parse("{}"));
        assertEquals(TenantReads.NONE, TenantReads.parse(""));
    }

    @Test
    void aShareOutsideZeroToAHundredOrTextThatIsNotTheirJsonIsRefusedWithWhy() {
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> TenantReads.NONE.with("alpha", 101));
        assertTrue(above.getMessage().contains("tenant \"alpha\""), above.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> TenantReads.parse("[\"alpha\"]"));
        assertTrue(text.getMessage().contains("tenant → percent"), text.getMessage());
    }

    @Test
    void theKeyNamesTheTenantFromTheLogin() {
        Map<String, String> startup = Map.of("application_name", "billing");
        assertEquals("alice", TenantKey.USER.of("alice", "shop", startup));
        assertEquals("shop", TenantKey.DATABASE.of("alice", "shop", startup));
        assertEquals("billing", TenantKey.APPLICATION_NAME.of("alice", "shop", startup));
        assertEquals("", TenantKey.APPLICATION_NAME.of("alice", "shop", Map.of()));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> TenantKey.fromConfig("tenant"));
        assertTrue(wrong.getMessage().contains("user, application-name, database"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TenantKey.fromConfig("option:"));
    }

    @Test
    void aStartupOptionNamesTheTenantInOptionsOrAsAParameterOfItsOwn() {
        TenantKey key = TenantKey.fromConfig("option:app.tenant");
        assertEquals("option:app.tenant", key.configName());
        assertEquals("billing", key.of("alice", "shop", Map.of("options", "-c app.tenant=billing")));
        assertEquals("reports", key.of("alice", "shop", Map.of("options", "-c search_path=x --app.tenant=reports")));
        assertEquals("web shop", key.of("alice", "shop", Map.of("options", "-capp.tenant=web\\ shop")));
        assertEquals("direct", key.of("alice", "shop", Map.of("App.Tenant", "direct")));
        assertEquals("", key.of("alice", "shop", Map.of("options", "-c app.other=x")));
        assertEquals("", key.of("alice", "shop", Map.of()));
    }
}
