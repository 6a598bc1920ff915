package io.exodus.proxy.session;

import io.exodus.proxy.consistency.ConsistencyPolicy;
import io.exodus.proxy.routing.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ScratchCountsTest {
    @ConfigProperty(name = "exodus.listen.port")
    int port;
    @Inject
    MigrationState migration;

    interface Step { void run() throws Exception; }

    static void step(String name, Step step) {
        try {
            step.run();
            System.out.println("SCRATCH " + name + " ok");
        } catch (Exception e) {
            System.out.println("SCRATCH " + name + " exception " + e);
        }
    }

    @Test
    void counts() throws Exception {
        DualWriteDatabases.recreate("dw_scratch");
        DualWriteDatabases.onBoth("dw_scratch", "create table items (id int primary key, label text)");
        try (Connection c = DualWriteDatabases.open(DualWriteDatabases.proxy(port, "dw_scratch"))) {
            try (Statement s = c.createStatement()) { s.execute("create temp table scratch (id int)"); }
            migration.changePolicy(ConsistencyPolicy.TWO_PHASE_COMMIT);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("insert into scratch values (1)");
                s.execute("insert into items values (1, 'x')");
            }
            step("commit", () -> c.commit());
            step("rollback", () -> c.rollback());
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                step("create scratch_too", () -> s.execute("create temp table scratch_too (id int)"));
                step("select 42", () -> { var r = s.executeQuery("select 42"); r.next(); System.out.println("SCRATCH got " + r.getInt(1)); });
                step("select 43", () -> { var r = s.executeQuery("select 43"); r.next(); System.out.println("SCRATCH got " + r.getInt(1)); });
            }
        }
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }
}
