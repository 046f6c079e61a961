"""The replay hot path: a query's rows straight from the DB-API cursor, and JSON
decoded by the C scanner. SQLAlchemy's execution path and json.loads' wrapping cost
more than reading and decoding the rows themselves (bench/README.md, replay)."""
import json
from contextlib import suppress

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
    transaction = conn.get_transaction()
    if conn.invalidated or (transaction is not None and not transaction.is_active):
        return conn.execute(statement, params).all()  # SQLAlchemy refuses, in its words
    if transaction is None:
        conn.begin()
    values = tuple(params[name] for name in compiled.positiontup) if compiled.positional else params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, values)
        return cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrapped(conn, cursor, compiled, values, error) from error
    finally:
        with suppress(Exception):  # as SQLAlchemy: the cursor of a lost connection
            cursor.close()


def _wrapped(conn, cursor, compiled, values, error):
    dialect = conn.dialect
    lost = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if lost:
        conn.invalidate(error)
    return DBAPIError.instance(compiled.string, values, error, dialect.loaded_dbapi.Error,
                               connection_invalidated=lost, dialect=dialect)
