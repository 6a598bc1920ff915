package io.exodus.proxy.session;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Statements through a dual-writing proxy land on both databases. */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteBasicsTest {
    private static final String DATABASE = "dw_basics";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
    }

    private ConnectionTarget proxy() {
        return ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE);
    }

    @Test
    void psqlWritesReachBothDatabases() throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "create table items (id int primary key, label text)");
        String out = Psql.against(proxy()).script("""
                insert into items values (1, 'one'), (2, 'two');
                begin;
                update items set label = 'uno' where id = 1;
                insert into items values (3, 'three');
                commit;
                begin;
                insert into items values (4, 'rolled back');
                rollback;
                delete from items where id = 2;
                select string_agg(id || '=' || label, ',' order by id) from items;
                """).requireSuccess().stdout();
        assertEquals(true, out.contains("1=uno,3=three"), out);
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                "items");
    }
}
