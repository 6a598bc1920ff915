package io.exodus.proxy.dualwrite;

import io.restassured.path.json.JsonPath;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

/** Waits, through the admin API, until the proxy's replay queue has drained and its sessions write live again. */
public final class CatchUpDrain {
    private CatchUpDrain() {
    }

    public static void await(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonPath status = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .get("/exodus/migration").then().statusCode(200).extract().jsonPath();
            last = status.prettify();
            Number depth = status.get("replay.depth");
            List<Map<String, Object>> databases = status.getList("replay.databases");
            boolean queueing = databases != null && databases.stream().anyMatch(db -> Boolean.TRUE.equals(db.get("queueing")));
            if (depth != null && depth.longValue() == 0 && !queueing) {
                return;
            }
            Thread.sleep(200);
        }
        fail("the replay queue did not drain within " + within + ": " + last);
    }

    public static long depth() {
        Number depth = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration")
                .then().statusCode(200).extract().jsonPath().get("replay.depth");
        return depth == null ? -1 : depth.longValue();
    }
}
