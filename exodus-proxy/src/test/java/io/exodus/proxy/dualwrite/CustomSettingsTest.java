package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.sql.StatementClassifier;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names of a session's own settings, as its statements and start-up packet show them. */
class CustomSettingsTest {
    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    @Test
    void setResetAndTheSettingFunctionsNameThem() {
        CustomSettings custom = new CustomSettings(new TreeSet<>(), Map.of());
        assertTrue(seen(custom, "SET app.Tenant = 'acme'"));
        assertTrue(seen(custom, "set local \"audit\".\"actor\" to 'alice'"));
        assertTrue(seen(custom, "reset my.flag"));
        assertTrue(seen(custom, "/* before the statement */ SET trace.id = 'x'; SELECT 1"));
        assertTrue(seen(custom, "select set_config('rls.org_id', '42', false)"));
        assertTrue(seen(custom, "update t set v = current_setting('app.region', true) where id = 1"));
        assertFalse(seen(custom, "set app.tenant = 'other'"), "seen before");
        assertEquals(Set.of("app.tenant", "audit.actor", "my.flag", "trace.id", "rls.org_id", "app.region"),
                custom.names());
    }

    @Test
    void builtInSettingsAndOtherTextsNameNone() {
        CustomSettings custom = new CustomSettings(new TreeSet<>(), Map.of());
        assertFalse(seen(custom, "set search_path = app, public"));
        assertFalse(seen(custom, "update app.items set v = 'set x.y = 1' where id = 1"));
        assertFalse(seen(custom, "select current_setting('work_mem')"));
        assertEquals(Set.of(), custom.names());
    }

    @Test
    void theStartUpPacketNamesThemAsParametersAndInOptions() {
        Set<String> kept = new TreeSet<>(Set.of("seen.before"));
        CustomSettings custom = new CustomSettings(kept, Map.of("user", "app", "App.Region", "eu",
                "options", "-c app.tenant=acme --audit.actor=alice -c work_mem=64MB"));
        assertEquals(Set.of("seen.before", "app.region", "app.tenant", "audit.actor"), custom.names());
        assertTrue(seen(custom, "set x.y = 1"));
        assertTrue(kept.contains("x.y"), "kept by the session for its next relay");
    }

    private boolean seen(CustomSettings custom, String sql) {
        Classification classification = classifier.classify(sql);
        return custom.seen(sql, classification);
    }
}
