package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.DataRow;
import io.exodus.proxy.wire.PgMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the rows of a query Exodus runs itself on a leg (catalog lookups, transaction modes) as text, NULL as
 * null; other messages go to {@code others}.
 */
final class TextRows implements Leg.Sink {
    private final List<List<String>> rows = new ArrayList<>();
    private final Leg.Sink others;

    TextRows() {
        this(Leg.DISCARD);
    }

    TextRows(Leg.Sink others) {
        this.others = others;
    }

    @Override
    public void accept(PgMessage message) {
        if (message.type() != BackendMessageType.DATA_ROW) {
            others.accept(message);
            return;
        }
        List<String> row = new ArrayList<>();
        for (byte[] value : DataRow.decode(message.body())) {
            row.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
        }
        rows.add(row);
    }

    List<List<String>> rows() {
        return rows;
    }
}
