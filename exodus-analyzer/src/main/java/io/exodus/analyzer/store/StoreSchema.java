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
                batch_id             bigint NOT NULL,
                proxy_id             text NOT NULL,
                at                   timestamptz NOT NULL,
                session_id           bigint NOT NULL,
                transaction_id       bigint,
                transaction_boundary text,
                protocol             text NOT NULL,
                fingerprint          text NOT NULL,
                prepared_name        text,
                parameters           jsonb,
                source_micros        bigint,
                target_micros        bigint,
                rows                 bigint,
                sqlstate             text,
                result_digest        text)""",
            // Foreign keys cost a lookup per event row, and the writer inserts the batch and its statements in the
            // same transaction before the events anyway; stores made with them lose them (docs/adr/0017).
            "ALTER TABLE exodus_analyzer.statement_event DROP CONSTRAINT IF EXISTS statement_event_batch_id_fkey",
            "ALTER TABLE exodus_analyzer.statement_event DROP CONSTRAINT IF EXISTS statement_event_fingerprint_fkey",
            // The parameter types a Parse declared (docs/adr/0017); stores made before them get the column.
            "ALTER TABLE exodus_analyzer.statement_event ADD COLUMN IF NOT EXISTS parameter_types jsonb",
            // The session's settings each statement ran under, and each bound value's format (docs/adr/0040).
            "ALTER TABLE exodus_analyzer.statement_event ADD COLUMN IF NOT EXISTS settings jsonb",
            "ALTER TABLE exodus_analyzer.statement_event ADD COLUMN IF NOT EXISTS parameter_formats jsonb",
            "CREATE INDEX IF NOT EXISTS statement_event_at ON exodus_analyzer.statement_event (at)",
            "CREATE INDEX IF NOT EXISTS statement_event_fingerprint ON exodus_analyzer.statement_event (fingerprint)");
}
