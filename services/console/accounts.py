"""What the console keeps out of its events: each officer's login, name, certificate
number and password hash, and the sessions of signed-in officers. Created at start,
never dropped by a rebuild (like the complaints vault)."""
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Column, MetaData, String, Table, delete, insert, or_, select, update

from shared.errors import BadRequest, Conflict

metadata = MetaData()
credentials = Table(
    "credentials", metadata,
    Column("officer_id", String(40), primary_key=True),
    Column("login", String(60), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("certificate", String(40)),
    Column("password_hash", String(200), nullable=False),
)
sessions = Table(
    "sessions", metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the cookie: a leaked table opens nothing
    Column("officer_id", String(40), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("seen_at", String(40), nullable=False),
)
hasher = PasswordHasher()  # argon2id, the library's memory-hard defaults
# compared against when the login is unknown, so both answers take as long
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))
MIN_PASSWORD = 10


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def add(conn, officer_id, login, name, certificate, password):
    if conn.execute(select(credentials.c.officer_id).where(credentials.c.login == login)).first():
        raise Conflict(f"login {login!r} is taken", {"login": ["taken"]})
    conn.execute(insert(credentials).values(
        officer_id=officer_id, login=login, name=name, certificate=certificate,
        password_hash=hasher.hash(password)))


def set_password(conn, officer_id, password):
    conn.execute(update(credentials).where(credentials.c.officer_id == officer_id)
                 .values(password_hash=hasher.hash(password)))


def check_new_password(password, repeated, login):
    errors = []
    if len(password) < MIN_PASSWORD:
        errors.append(f"至少 {MIN_PASSWORD} 个字符 (at least {MIN_PASSWORD} characters)")
    if password.lower() == (login or "").lower():
        errors.append("不能与登录名相同 (must differ from the login)")
    if errors:
        raise BadRequest("invalid password", {"password": errors})
    if password != repeated:
        raise BadRequest("invalid password", {"repeated": ["两次输入不一致 (the two differ)"]})


def by_login(conn, login):
    row = conn.execute(select(credentials).where(credentials.c.login == login)).first()
    return dict(row._mapping) if row else None


def by_id(conn, officer_id):
    row = conn.execute(select(credentials).where(credentials.c.officer_id == officer_id)).first()
    return dict(row._mapping) if row else None


def names(conn, officer_ids):
    rows = conn.execute(select(credentials.c.officer_id, credentials.c.name)
                        .where(credentials.c.officer_id.in_(list(officer_ids))))
    return {row.officer_id: row.name for row in rows}


def password_matches(account, password):
    try:
        return hasher.verify(account["password_hash"] if account else _DUMMY_HASH, password) \
            and account is not None
    except (VerifyMismatchError, InvalidHashError):
        return False


# -- sessions ----------------------------------------------------------------------
def start_session(conn, officer_id, now):
    token = secrets.token_urlsafe(32)
    conn.execute(insert(sessions).values(digest=digest(token), officer_id=officer_id,
                                         csrf=secrets.token_urlsafe(24), started_at=now,
                                         seen_at=now))
    return token


def session(conn, token):
    if not token:
        return None
    row = conn.execute(select(sessions).where(sessions.c.digest == digest(token))).first()
    return dict(row._mapping) if row else None


def touch(conn, token, now):
    conn.execute(update(sessions).where(sessions.c.digest == digest(token)).values(seen_at=now))


def end_session(conn, token):
    conn.execute(delete(sessions).where(sessions.c.digest == digest(token)))


def purge_sessions(conn, idle_before, started_before):
    """Forget sessions that ended by themselves (idle, or too old)."""
    conn.execute(delete(sessions).where(or_(sessions.c.seen_at < idle_before,
                                            sessions.c.started_at < started_before)))


def end_sessions_of(conn, officer_id):
    conn.execute(delete(sessions).where(sessions.c.officer_id == officer_id))
