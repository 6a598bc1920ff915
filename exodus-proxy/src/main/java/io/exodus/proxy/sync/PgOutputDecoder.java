package io.exodus.proxy.sync;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decodes one {@code pgoutput} message (protocol version 1), as a row of pg_logical_slot_peek_binary_changes. */
final class PgOutputDecoder {
    private final Buffer data;
    private int at;

    private PgOutputDecoder(Buffer data) {
        this.data = data;
    }

    static PgOutputMessage decode(Buffer data) {
        return new PgOutputDecoder(data).message();
    }

    private PgOutputMessage message() {
        char type = (char) data.getByte(at++);
        return switch (type) {
            case 'B' -> {
                long finalLsn = data.getLong(at);
                at += 16; // and the commit timestamp
                yield new PgOutputMessage.Begin(finalLsn, data.getInt(at));
            }
            case 'C' -> {
                at++; // flags, unused
                long commitLsn = data.getLong(at);
                yield new PgOutputMessage.Commit(commitLsn, data.getLong(at + 8));
            }
            case 'R' -> relation();
            case 'I' -> {
                int relation = data.getInt(at);
                at += 4;
                expect('N');
                yield new PgOutputMessage.Insert(relation, tuple());
            }
            case 'U' -> {
                int relation = data.getInt(at);
                at += 4;
                PgOutputMessage.Tuple old = null;
                char kind = (char) data.getByte(at++);
                if (kind == 'K' || kind == 'O') {
                    old = tuple();
                    kind = (char) data.getByte(at++);
                }
                if (kind != 'N') {
                    throw new IllegalStateException("pgoutput Update without its new row ('" + kind + "')");
                }
                yield new PgOutputMessage.Update(relation, old, tuple());
            }
            case 'D' -> {
                int relation = data.getInt(at);
                at += 4;
                char kind = (char) data.getByte(at++);
                if (kind != 'K' && kind != 'O') {
                    throw new IllegalStateException("pgoutput Delete without its key ('" + kind + "')");
                }
                yield new PgOutputMessage.Delete(relation, tuple());
            }
            case 'T' -> {
                int count = data.getInt(at);
                int options = data.getByte(at + 4);
                at += 5;
                List<Integer> relations = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    relations.add(data.getInt(at));
                    at += 4;
                }
                yield new PgOutputMessage.Truncate(relations, (options & 1) != 0, (options & 2) != 0);
            }
            default -> new PgOutputMessage.Other(type);
        };
    }

    private PgOutputMessage.Relation relation() {
        int id = data.getInt(at);
        at += 4;
        String schema = string();
        String name = string();
        at++; // replica identity setting
        int count = data.getShort(at) & 0xffff;
        at += 2;
        List<String> columns = new ArrayList<>(count);
        List<Boolean> key = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            key.add((data.getByte(at++) & 1) != 0);
            columns.add(string());
            at += 8; // type oid and modifier: values are applied as untyped literals
        }
        return new PgOutputMessage.Relation(id, schema, name, columns, key);
    }

    private PgOutputMessage.Tuple tuple() {
        int count = data.getShort(at) & 0xffff;
        at += 2;
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            char kind = (char) data.getByte(at++);
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> values[i] = PgOutputMessage.Tuple.UNCHANGED;
                case 't' -> {
                    int length = data.getInt(at);
                    values[i] = data.getString(at + 4, at + 4 + length, StandardCharsets.UTF_8.name());
                    at += 4 + length;
                }
                default -> throw new IllegalStateException("pgoutput column of kind '" + kind + "'");
            }
        }
        return new PgOutputMessage.Tuple(Arrays.asList(values));
    }

    private void expect(char kind) {
        char found = (char) data.getByte(at++);
        if (found != kind) {
            throw new IllegalStateException("pgoutput expected '" + kind + "', found '" + found + "'");
        }
    }

    private String string() {
        int end = at;
        while (data.getByte(end) != 0) {
            end++;
        }
        String text = data.getString(at, end, StandardCharsets.UTF_8.name());
        at = end + 1;
        return text;
    }
}
