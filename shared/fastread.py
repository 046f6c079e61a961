"""The hot paths (a replay, a catch-up): a query's rows and a write's effect straight
from the DB-API cursor, and JSON decoded by the C scanner. SQLAlchemy's execution path
and json.loads' wrapping cost more than reading and decoding the rows themselves, or
than SQLite's own work for a write (bench/README.md, replay and catch-up)."""
import json
from contextlib import suppress

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

_scan = json.JSONDecoder().scan_once


def loads(text):
    """json.loads for the compact text the store writes; anything else goes to json.loads."""
    try:
        value, end = _scan(text, 0)
    except (StopIteration, TypeError):  # leading space, bytes, not JSON: json.loads decides
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def fetch_all(conn, statement, compiled, params):
    """`conn.execute(statement, params).all()`, in `conn`'s transaction (begun as
    `conn.execute` would begin it), with errors raised as SQLAlchemy raises them."""
    return _run(conn, statement, compiled, params, lambda cursor: cursor.fetchall(),
                lambda result: result.all())


def execute(conn, statement, params):
    """`conn.execute(statement, params)` for a statement built once with bind parameters
    (a write, or a read of one value): the first column of its first row if it returns
    rows, else how many rows it changed. A list of dicts (of the same keys) runs it once
    for each, as one executemany. Its SQL is compiled once per dialect and set of keys.
    On a rebuild's queue of writes (shared.projections.WriteBehind) a write is queued
    and answers None."""
    many = isinstance(params, list)
    if many and not params:
        return 0
    if not isinstance(conn, Connection):  # a rebuild's queue of writes (shared.projections)
        result = conn.execute(statement, params)
        return None if result is None else _scalar_or_count(result)
    if many and conn.dialect.name != "sqlite":  # SQLAlchemy sends the rows in one round trip
        return conn.execute(statement, params).rowcount
    keys = tuple(params[0] if many else params)
    dialect = conn.dialect
    key = (statement, dialect.name, dialect.driver, dialect.paramstyle, keys)
    compiled = _compiled.get(key)
    if compiled is None:
        if len(_compiled) > 512:  # statements built per call: not worth keeping
            _compiled.clear()
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(keys))
        if compiled.insert_prefetch or compiled.update_prefetch:  # a default computed in
            compiled = False                                       # Python: SQLAlchemy's path
        _compiled[key] = compiled
    if compiled is False:
        return _scalar_or_count(conn.execute(statement, params))
    return _run(conn, statement, compiled, params, _first_or_count, _scalar_or_count, many)


_compiled = {}  # (statement, dialect and driver, keys) -> its compiled SQL, or False


def _scalar_or_count(result):  # the same, of SQLAlchemy's result
    return result.scalar() if result.returns_rows else result.rowcount


def _first_or_count(cursor):
    if cursor.description is None:
        return cursor.rowcount
    row = cursor.fetchone()
    return None if row is None else row[0]


def _run(conn, statement, compiled, params, result, result_of_sqlalchemy, many=False):
    transaction, nested = conn.get_transaction(), conn.get_nested_transaction()
    if conn.invalidated or any(t is not None and not t.is_active for t in (transaction, nested)):
        # SQLAlchemy's own path: it reconnects, or refuses in its words
        return result_of_sqlalchemy(conn.execute(statement, params))
    if transaction is None:
        conn.begin()
    if compiled.positional:
        names = compiled.positiontup
        values = ([tuple([row[name] for name in names]) for row in params] if many
                  else tuple([params[name] for name in names]))
    else:
        values = params
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(compiled.string, values)
        else:
            cursor.execute(compiled.string, values)
        return result(cursor)
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrapped(conn, cursor, compiled.string, values, error) from error
    finally:
        with suppress(Exception):  # as SQLAlchemy: the cursor of a lost connection
            cursor.close()


def execute_plain(conn, sql):
    """`conn.exec_driver_sql(sql)` for SQL without parameters (a SAVEPOINT, a RELEASE)
    in `conn`'s transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrapped(conn, cursor, sql, (), error) from error
    finally:
        with suppress(Exception):
            cursor.close()


def _wrapped(conn, cursor, sql, values, error):
    dialect = conn.dialect
    lost = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if lost:
        conn.invalidate(error)
    return DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                               connection_invalidated=lost, dialect=dialect)
