package io.exodus.proxy.control;

/** What a change of the control state changes: one column of {@code exodus.control_state}. */
public enum ControlSetting {
    PHASE("phase", "phase"),
    POLICY("policy", "policy"),
    CANARY_PERCENT("canary_percent", "canary-percent"),
    /** The tenants' own shares of reads on the target, a JSON object ({@code TenantReads}). */
    TENANT_READS("tenant_reads", "tenant-reads"),
    /** Whether reads are shadowed on the secondary (a strategy's shadow step): {@code true} or {@code false}. */
    SHADOW("shadow", "shadow"),
    /** The databases the migration moves: {@code *} or a JSON array of names ({@code MigrationDatabases}). */
    DATABASES("databases", "databases");

    private final String column;
    private final String auditName;

    ControlSetting(String column, String auditName) {
        this.column = column;
        this.auditName = auditName;
    }

    String column() {
        return column;
    }

    /** The name in the audit log ({@code exodus.control_audit.what}). */
    public String auditName() {
        return auditName;
    }
}
