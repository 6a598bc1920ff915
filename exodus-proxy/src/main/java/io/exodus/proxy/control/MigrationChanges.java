package io.exodus.proxy.control;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.TenantReads;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * A change of the migration's phase, policy or canary share, made the way this proxy is set up: for the whole fleet
 * through the control plane when it is on (audited, answered once the live replicas applied it), in this replica's
 * memory otherwise. The admin API and the strategies change the state through here alone. A phase change that moves
 * writes onto the target or off it needs the fleet paused first ({@code traffic.WritePathChange}, which the admin API
 * uses): made here alone, a replica that reads it late routes its writes by the old phase meanwhile.
 */
@ApplicationScoped
public class MigrationChanges {
    private static final Logger LOG = Logger.getLogger(MigrationChanges.class);

    private final ControlPlane control;
    private final MigrationState migration;

    public MigrationChanges(ControlPlane control, MigrationState migration) {
        this.control = control;
        this.migration = migration;
    }

    /** Whether changes reach the whole fleet (and the answer says which replicas applied them). */
    public boolean fleetWide() {
        return control.enabled();
    }

    /** @param to the setting's value as the admin API spells it ({@code dual-write}, {@code 25.0}) */
    public Future<ControlChange> change(ControlSetting setting, String to, String who, String why) {
        if (control.enabled()) {
            return control.change(setting, to, who, why);
        }
        String from = switch (setting) {
            case PHASE -> migration.phase().configName();
            case POLICY -> migration.policy().configName();
            case CANARY_PERCENT -> String.valueOf(migration.canaryPercent());
            case TENANT_READS -> migration.tenantReads().json();
            case SHADOW -> String.valueOf(migration.shadowing());
            case DATABASES -> migration.databases().stored();
        };
        switch (setting) {
            case PHASE -> migration.changePhase(MigrationPhase.fromConfig(to));
            case POLICY -> migration.changePolicy(ConsistencyPolicy.fromConfig(to));
            case CANARY_PERCENT -> migration.changeCanaryPercent(Double.parseDouble(to));
            case TENANT_READS -> migration.changeTenantReads(TenantReads.parse(to));
            case SHADOW -> migration.changeShadowing(Boolean.parseBoolean(to));
            case DATABASES -> migration.changeDatabases(MigrationDatabases.parse(to));
        }
        LOG.infof("Change of %s from %s to %s by %s%s (this replica only: exodus.control.enabled=false)",
                setting.auditName(), from, to, who, why == null ? "" : ", because " + why);
        return Future.succeededFuture(new ControlChange(setting, from, to, 0, List.of(), List.of()));
    }
}
