package io.exodus.proxy.sync;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A simple Query on a {@link Leg}, its rows as text, and any error or lost connection as a failed future. */
final class LegQueries {
    private LegQueries() {
    }

    static Future<List<List<String>>> rows(Leg leg, String sql) {
        List<List<String>> rows = new ArrayList<>();
        return leg.send(FrontendMessages.query(sql), 1, message -> {
            if (message.type() == BackendMessageType.DATA_ROW) {
                List<String> row = new ArrayList<>();
                for (byte[] value : DataRow.decode(message.body())) {
                    row.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
                }
                rows.add(row);
            }
        }).compose(reply -> succeeded(reply, sql).map(rows));
    }

    static Future<Void> run(Leg leg, String sql) {
        return leg.send(FrontendMessages.query(sql), 1, Leg.DISCARD).compose(reply -> succeeded(reply, sql));
    }

    static Future<Void> succeeded(LegReply reply, String what) {
        if (reply.failed()) {
            return Future.failedFuture(new IllegalStateException(what + ": " + reply.error().sqlState() + " "
                    + reply.error().message()));
        }
        return Future.succeededFuture();
    }
}
