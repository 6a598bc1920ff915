package io.exodus.proxy.session;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Vert.x reactive client (extended protocol, pipelining, batches) through the proxy. */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class VertxClientThroughProxyTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @ParameterizedTest
    @ValueSource(strings = { "disable", "require" })
    void preparedQueriesBatchesAndPipeliningWork(String sslmode) throws Exception {
        Vertx vertx = Vertx.vertx();
        ConnectionTarget target = ConnectionTarget.local(port, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                TestUsers.DEFAULT_DATABASE).withSslmode(sslmode);
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(target.pgConnectOptions().setPipeliningLimit(16)).using(vertx).build();
        try {
            String table = "vertx_items_" + sslmode;
            await(pool.query("drop table if exists " + table).execute());
            await(pool.query("create table " + table + " (id int primary key, label text)").execute());
            List<Tuple> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(Tuple.of(i, "label " + i));
            }
            await(pool.preparedQuery("insert into " + table + " values ($1, $2)").executeBatch(batch));
            List<io.vertx.core.Future<RowSet<Row>>> pipelined = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pipelined.add(pool.preparedQuery("select label from " + table + " where id = $1").execute(Tuple.of(i)));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals("label " + i, await(pipelined.get(i)).iterator().next().getString(0));
            }
            RowSet<Row> count = await(pool.query("select count(*) from " + table).execute());
            assertEquals(200L, count.iterator().next().getLong(0));
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
