package io.exodus.analyzer.store;

import java.util.List;

/**
 * The store's tables, in schema {@code exodus_analyzer} of the store database. A statement's text is kept once per
 * fingerprint; each execution is one row of {@code statement_event}. Created if missing at start-up; this is version
 * 1 of the layout (docs/adr/0006).
 */
final class StoreSchema {
    private StoreSchema() {
    }

    static final List<String> CREATE = List.of(
            "CREATE SCHEMA IF NOT EXISTS exodus_analyzer",
            """
            CREATE TABLE IF NOT EXISTS exodus_analyzer.statement (
                fingerprint     text PRIMARY KEY,
                text            text NOT NULL,
                statement_class text NOT NULL,
                features        text[] NOT NULL,
                functions       text[] NOT NULL,
                first_seen      timestamptz NOT NULL DEFAULT now())""",
            """
            CREATE TABLE IF NOT EXISTS exodus_analyzer.capture_batch (
                id          bigserial PRIMARY KEY,
                proxy_id    text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                events      integer NOT NULL,
                dropped     bigint NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS exodus_analyzer.statement_event (
                id                   bigserial PRIMARY KEY,
                batch_id             bigint NOT NULL REFERENCES exodus_analyzer.capture_batch,
                proxy_id             text NOT NULL,
                at                   timestamptz NOT NULL,
                session_id           bigint NOT NULL,
                transaction_id       bigint,
                transaction_boundary text,
                protocol             text NOT NULL,
                fingerprint          text NOT NULL REFERENCES exodus_analyzer.statement,
                prepared_name        text,
                parameters           jsonb,
                source_micros        bigint,
                target_micros        bigint,
                rows                 bigint,
                sqlstate             text,
                result_digest        text)""",
            "CREATE INDEX IF NOT EXISTS statement_event_at ON exodus_analyzer.statement_event (at)",
            "CREATE INDEX IF NOT EXISTS statement_event_fingerprint ON exodus_analyzer.statement_event (fingerprint)");
}
