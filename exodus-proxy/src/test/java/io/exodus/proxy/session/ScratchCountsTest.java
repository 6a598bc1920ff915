package io.exodus.proxy.session;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ScratchCountsTest {
    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Test
    void counts() throws Exception {
        DualWriteDatabases.recreate("dw_scratch");
        DualWriteDatabases.onBoth("dw_scratch", "create table t (id bigserial primary key, note text)");
        for (String mode : new String[] {"extended", "simple"}) {
            try (Connection c = DualWriteDatabases.open(DualWriteDatabases.proxy(port, "dw_scratch"), "preferQueryMode", mode);
                    Statement s = c.createStatement()) {
                System.out.println("SCRATCH " + mode + " stmt 3 rows: " + s.executeUpdate("insert into t (note) values ('a'),('b'),('c')"));
                System.out.println("SCRATCH " + mode + " stmt select 5: " + s.executeUpdate("insert into t (note) select 'x' from generate_series(1,5)"));
                try (PreparedStatement p = c.prepareStatement("insert into t (note) values (?),(?),(?)")) {
                    p.setString(1, "p"); p.setString(2, "q"); p.setString(3, "r");
                    System.out.println("SCRATCH " + mode + " prepared 3 rows: " + p.executeUpdate());
                }
                System.out.println("SCRATCH " + mode + " stmt 1 row: " + s.executeUpdate("insert into t (note) values ('single')"));
                try (PreparedStatement p = c.prepareStatement("insert into t (note) values (?)")) {
                    for (int i = 0; i < 3; i++) { p.setString(1, "b" + i); p.addBatch(); }
                    System.out.println("SCRATCH " + mode + " batch: " + java.util.Arrays.toString(p.executeBatch()));
                }
                s.execute("insert into t (note) values ('e1'),('e2')");
                System.out.println("SCRATCH " + mode + " execute 2 rows: " + s.getUpdateCount());
            }
            try (Connection c = DualWriteDatabases.open(DualWriteDatabases.source("dw_scratch")); Statement s = c.createStatement()) {
                var r = s.executeQuery("select count(*) from t"); r.next();
                System.out.println("SCRATCH source rows " + r.getLong(1));
            }
            try (Connection c = DualWriteDatabases.open(DualWriteDatabases.target("dw_scratch")); Statement s = c.createStatement()) {
                var r = s.executeQuery("select count(*) from t"); r.next();
                System.out.println("SCRATCH target rows " + r.getLong(1));
            }
        }
    }
}
