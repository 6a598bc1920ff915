package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.FunctionVolatility;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How requests are planned, from their messages alone: no server. */
class UnitPlannerTest {
    private final StatementBook book = new StatementBook();
    private final UnitPlanner planner = new UnitPlanner(new ClassificationCache(FunctionVolatility.withoutCatalog()),
            book, true);

    @Test
    void simpleQueriesTakeTheShapeOfWhatTheyRun() {
        assertEquals(UnitShape.READ, simple("select * from orders").shape());
        assertEquals(UnitShape.LOCKSTEP, simple("update orders set total = 1 where id = 2").shape());
        assertEquals(UnitShape.COMMIT, simple("commit").shape());
        assertEquals(UnitShape.CONCURRENT, simple("begin").shape());
        assertEquals(UnitShape.READ, simple("begin read only").shape());
        assertEquals(UnitShape.CHAINED_END, simple("commit and chain").shape());
        assertEquals(UnitShape.SEQUENTIAL, simple("create index concurrently i on orders (id)").shape());
        assertEquals(UnitShape.SEQUENTIAL, simple("prepare transaction 'gid'").shape());
    }

    /** An INSERT's rows, and an UPDATE's drawn values or picked rows, reach the secondary as a row image. */
    @Test
    void writesWhoseValuesOrRowsMayDifferGetARowImage() {
        assertTrue(simple("insert into orders (total) values (1)").rowImage().isPresent());
        assertTrue(simple("update orders set at = now() where id = 1").rowImage().isPresent());
        assertTrue(simple("delete from jobs where id in (select id from jobs limit 10)").rowImage().isPresent());
        assertFalse(simple("update orders set total = 2 where id = 1").rowImage().isPresent());
        planner.imageRefused("insert into orders (total) values (1)");
        assertFalse(simple("insert into orders (total) values (1)").rowImage().isPresent(),
                "a text whose image the primary refused runs as its text");
    }

    @Test
    void aCreateTableAsThatDrawsOrReadsTablesRunsInTwoHalves() {
        assertEquals(UnitShape.TABLE_FROM_QUERY, simple("create table t as select * from orders").shape());
        assertEquals(UnitShape.TABLE_FROM_QUERY, simple("create table t as select random() as r").shape());
        assertEquals(UnitShape.LOCKSTEP, simple("create table t as select 1 as one").shape());
        assertEquals(UnitShape.LOCKSTEP, simple("create table t as select * from orders with no data").shape());
    }

    /** The extended protocol is planned message by message; the statements are entered in the book as they come. */
    @Test
    void anExtendedBatchIsPlannedWithTheStatementsItRuns() {
        UnitPlanner.Batch batch = planner.batch();
        add(batch, FrontendMessages.parse("ins", "insert into orders (total) values ($1)", new int[0]));
        add(batch, FrontendMessages.bind("", "ins", new short[0], List.of("5".getBytes()), new short[0]));
        add(batch, FrontendMessages.execute("", 0));
        assertEquals(UnitShape.LOCKSTEP, batch.plan().shape(), "planned so far, ahead of the Sync");
        add(batch, FrontendMessages.sync());
        UnitPlan plan = batch.planAtSync(false);
        assertEquals(UnitShape.LOCKSTEP, plan.shape());
        assertTrue(plan.usesRowImage());
        assertEquals(List.of("insert into orders (total) values ($1)"), plan.executedSql());
        assertEquals("insert into orders (total) values ($1)", book.statement("ins").sql());
        assertEquals("insert into orders (total) values ($1)", book.portalStatement("").sql());
    }

    @Test
    void aLoneCreateTableAsInTheExtendedProtocolRunsInTwoHalvesUnlessPartWentAhead() {
        assertEquals(UnitShape.TABLE_FROM_QUERY, extendedCtas().planAtSync(false).shape());
        assertEquals(UnitShape.LOCKSTEP, extendedCtas().planAtSync(true).shape(),
                "a part the primary ran already cannot be taken apart");
    }

    private UnitPlanner.Batch extendedCtas() {
        UnitPlanner.Batch batch = planner.batch();
        add(batch, FrontendMessages.parse("", "create table snap as select * from orders", new int[0]));
        add(batch, FrontendMessages.bind("", "", new short[0], List.of(), new short[0]));
        add(batch, FrontendMessages.describePortal(""));
        add(batch, FrontendMessages.execute("", 0));
        add(batch, FrontendMessages.sync());
        return batch;
    }

    private UnitPlan simple(String sql) {
        return planner.plan(new ArrayList<>(List.of(FrontendMessages.queryMessage(sql))));
    }

    private static void add(UnitPlanner.Batch batch, Buffer framed) {
        batch.add(new PgMessage(framed.getByte(0), framed.getBuffer(5, framed.length())));
    }
}
