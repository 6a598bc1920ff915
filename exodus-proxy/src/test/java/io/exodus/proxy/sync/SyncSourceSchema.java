package io.exodus.proxy.sync;

/** The source of the sync tests: every kind of table the sync must carry, with rows. */
final class SyncSourceSchema {
    static final String[] TABLES = {"orders", "accounts", "line_items", "events_log", "measurements", "audited",
            "audit_trail"};

    static final String SCHEMA = """
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer int NOT NULL, amount numeric(12,2),
                                 note text, tags text[], meta jsonb);
            CREATE TABLE accounts (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, balance bigint NOT NULL);
            CREATE TABLE line_items (order_id bigint NOT NULL REFERENCES orders (id), line_no int NOT NULL,
                                     qty int NOT NULL, qty_doubled int GENERATED ALWAYS AS (qty * 2) STORED,
                                     PRIMARY KEY (order_id, line_no));
            CREATE TABLE events_log (at timestamptz NOT NULL, kind text NOT NULL, detail text);
            CREATE TABLE measurements (id bigserial, reading double precision, PRIMARY KEY (id))
                PARTITION BY RANGE (id);
            CREATE TABLE measurements_low PARTITION OF measurements FOR VALUES FROM (MINVALUE) TO (20000);
            CREATE TABLE measurements_high PARTITION OF measurements FOR VALUES FROM (20000) TO (MAXVALUE);
            CREATE TABLE audited (id int PRIMARY KEY, v int NOT NULL);
            CREATE TABLE audit_trail (id bigserial PRIMARY KEY, audited_id int NOT NULL, v int NOT NULL);
            CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO audit_trail (audited_id, v) VALUES (NEW.id, NEW.v); RETURN NEW; END $$;
            CREATE TRIGGER audited_audit AFTER INSERT OR UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION audit();
            CREATE INDEX orders_customer ON orders (customer);
            """;

    static final String ROWS = """
            INSERT INTO orders (customer, amount, note, tags, meta)
                SELECT i % 500, i * 1.25, CASE WHEN i % 7 = 0 THEN NULL ELSE 'it''s n°' || i || E' \\\\ ü' END,
                       ARRAY['a' || i, 'b'], jsonb_build_object('i', i)
                FROM generate_series(1, 30000) AS i;
            INSERT INTO accounts (balance) SELECT 0 FROM generate_series(1, 3000);
            INSERT INTO line_items (order_id, line_no, qty) SELECT o, l, o % 13 FROM generate_series(1, 30000) AS o,
                generate_series(1, 2) AS l;
            INSERT INTO events_log (at, kind, detail) SELECT now() - i * interval '1 second', 'seed', NULL
                FROM generate_series(1, 20000) AS i;
            INSERT INTO measurements (reading) SELECT i / 3.0 FROM generate_series(1, 30000) AS i;
            INSERT INTO audited (id, v) SELECT i, 0 FROM generate_series(1, 1000) AS i;
            ANALYZE;
            """;

    private SyncSourceSchema() {
    }
}
