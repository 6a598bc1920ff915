"""psycopg 3 through Exodus: python3 psycopg_client.py <scenario> <table>

Connection parameters come from the libpq environment (PGHOST, PGPORT, ...). "prepared": server-side prepared
statements (prepare=True: Parse alone, then Bind/Describe/Execute), executemany, commits and a rollback. "pipeline":
libpq's pipeline mode, with a Flush request to read a result inside the pipeline, and an error inside a pipeline
after which nothing up to the next Sync runs, while the connection goes on. "evicting": a statement cache of two,
so that psycopg deallocates the prepared writes it evicts. "returning-qualified": INSERT … RETURNING of
table-qualified columns, as SQLAlchemy renders an INSERT whose key the server draws.
"""
import sys

import psycopg
from psycopg import errors, sql

mode, table = sys.argv[1], sys.argv[2]
INSERT = sql.SQL("insert into {} (n, note) values (%s, %s)").format(sql.Identifier(table))
UPDATE = sql.SQL("update {} set note = note || %s where n = %s").format(sql.Identifier(table))
DELETE = sql.SQL("delete from {} where n = %s").format(sql.Identifier(table))
RETURNING = sql.SQL("insert into {} (n, note) values (%s, %s) returning id, uid").format(sql.Identifier(table))


def prepared(conn):
    # Not autocommit: psycopg opens the transaction with BEGIN before the first statement.
    for n in (1, 2, 3):
        assert conn.execute(INSERT, (n, f"prepared {n}"), prepare=True).rowcount == 1
    assert conn.execute(UPDATE, (" updated", 1), prepare=True).rowcount == 1
    assert conn.execute(UPDATE, (" updated", 2), prepare=True).rowcount == 1
    assert conn.execute(DELETE, (3,), prepare=True).rowcount == 1
    conn.commit()
    with conn.cursor() as cur:
        cur.executemany(INSERT, [(n, "many") for n in (4, 5, 6, 7)])
        assert cur.rowcount == 4, cur.rowcount
        cur.executemany(UPDATE, [(" updated", n) for n in (4, 5)])
    conn.commit()
    row_id, uid = conn.execute(RETURNING, (8, "returning"), prepare=True).fetchone()
    assert uid is not None
    conn.rollback()
    with conn.transaction():
        conn.execute(INSERT, (9, "in a transaction block"), prepare=True)
        conn.cursor().executemany(INSERT, [(n, "many in a transaction block") for n in (10, 11)])
    try:
        conn.execute(INSERT, (None, "no n"), prepare=True)
        raise AssertionError("a null n was inserted")
    except errors.NotNullViolation:
        conn.rollback()
    conn.autocommit = True
    assert conn.execute(INSERT, (12, "autocommit"), prepare=True).rowcount == 1


def pipeline(conn):
    conn.autocommit = True
    with conn.pipeline():
        for n in (1, 2, 3):
            conn.execute(INSERT, (n, f"pipelined {n}"))
        conn.execute(UPDATE, (" updated", 1))
        conn.execute(DELETE, (2,))
        # Reading a result inside the pipeline sends a Flush request ahead of the Sync.
        row_id, uid = conn.execute(RETURNING, (4, "returning in a pipeline")).fetchone()
        assert uid is not None
        conn.execute(INSERT, (5, "after a flush request"))
    try:
        with conn.pipeline() as p:
            conn.execute(INSERT, (6, "synced before the error"))
            p.sync()
            conn.execute(INSERT, (7, "same segment as the error"))
            conn.execute(INSERT, (None, "fails"))
            conn.execute(INSERT, (8, "after the error"))
            conn.execute(UPDATE, (" after the error", 6))
        raise AssertionError("the pipeline did not fail")
    except errors.NotNullViolation:
        pass
    # The connection goes on, in and out of a pipeline.
    conn.execute(INSERT, (9, "after the failed pipeline"))
    with conn.pipeline():
        with conn.transaction():
            conn.execute(INSERT, (10, "pipelined transaction"))
            conn.execute(INSERT, (11, "pipelined transaction"))
        conn.execute(UPDATE, (" updated", 10))


def evicting(conn):
    conn.autocommit = True
    conn.prepare_threshold = 0
    conn.prepared_max = 2
    for n in range(1, 9):
        # Three INSERT texts and two UPDATE texts in turn: each new one evicts the oldest (DEALLOCATE _pg3_N).
        note = f"text {n % 3}"
        conn.execute(sql.SQL("insert into {} (n, note) values (%s, {})").format(sql.Identifier(table),
                                                                              sql.Literal(note)), (n,))
        conn.execute(sql.SQL("update {} set note = note || {} where n = %s").format(sql.Identifier(table),
                                                                                  sql.Literal(f" {n % 2}")), (n,))


def returning_qualified(conn):
    conn.autocommit = True
    for n in (1, 2):
        conn.execute(INSERT, (n, "plain"))
    qualified = sql.SQL("insert into {t} (n, note) values (%s, %s) returning {t}.id, {t}.uid").format(
        t=sql.Identifier(table))
    for n in (3, 4):
        assert conn.execute(qualified, (n, "returning qualified")).fetchone()[1] is not None


SCENARIOS = {"prepared": prepared, "pipeline": pipeline, "evicting": evicting,
             "returning-qualified": returning_qualified}

with psycopg.connect(connect_timeout=10) as connection:
    SCENARIOS[mode](connection)
