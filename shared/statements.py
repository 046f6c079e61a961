"""Writes and reads of one row, with statements built once per shape and executed with
parameters: SQLAlchemy then skips building and cache-keying a statement on every call
(0.2 ms each on the bench machine, more than executing a prebuilt one; bench/README.md,
"CPU per hazard")."""
import functools

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

_ON_CONFLICT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert(conn, table, key, values, **on_insert):
    """Update the row of `key` ({column: value}) with `values`, or insert it (with
    `on_insert` too) when there is none: one INSERT … ON CONFLICT statement (SQLite and
    PostgreSQL, the databases otg runs on), which also queues in a rebuild's batches
    (an UPDATE's row count would have to be read back first). The row is checked as an
    insert first, so `key`, `values` and `on_insert` give every NOT NULL column without a
    default, even when the row is there."""
    values = {name: value for name, value in values.items() if name not in key}
    conn.execute(_on_conflict(conn.dialect.name, table, tuple(key), tuple(values),
                              tuple(on_insert)),
                 {**_prefixed("k_", key), **_prefixed("v_", values),
                  **_prefixed("i_", on_insert)})


def row(conn, table, column, value):
    """The row whose `column` (a name) is `value`, as a dict; None if there is none."""
    if value is None:
        return None
    found = conn.execute(_select_by(table, column), {"value": value}).first()
    return found._asdict() if found else None


def _prefixed(prefix, values):
    return {prefix + name: value for name, value in values.items()}


@functools.cache
def _on_conflict(dialect, table, key, names, on_insert):
    if dialect not in _ON_CONFLICT:
        raise NotImplementedError(f"otg runs on SQLite or PostgreSQL, not {dialect}")
    add = _ON_CONFLICT[dialect](table).values({
        **{name: bindparam("k_" + name) for name in key},
        **{name: bindparam("v_" + name) for name in names},
        **{name: bindparam("i_" + name) for name in on_insert}})
    if not names:
        return add.on_conflict_do_nothing(index_elements=list(key))
    return add.on_conflict_do_update(index_elements=list(key),
                                     set_={name: add.excluded[name] for name in names})


@functools.cache
def _select_by(table, column):
    return select(table).where(table.c[column] == bindparam("value"))
