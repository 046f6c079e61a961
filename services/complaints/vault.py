"""The protected part of a case: what the reporter wrote and their contact details,
notes and the answer (all Fernet-encrypted at rest: free text often names people or
repeats a phone number), photos' metadata, supervisors' codes.

These tables are primary data, not projections: events only refer to them, so
they are never dropped by a projection rebuild (own MetaData)."""
import base64
import hashlib
import hmac
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, select, update

metadata = MetaData()
case_files = Table(
    "case_files", metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("tracking_code", String(16), nullable=False, unique=True),
    Column("description", Text, nullable=False),   # Fernet token (as are notes' texts, answer)
    Column("contact", Text),                        # Fernet token of {name, phone, email}
    Column("details", Text, nullable=False, default="{}"),  # e.g. Open311 lat/long, media_url
    Column("external_ref", String(64), unique=True),  # hash of an e-mail's Message-ID
    Column("answer", Text),
    Column("answered_at", String(40)),
    Column("notes", Text, nullable=False, default="[]"),
)
photos = Table(
    "case_photos", metadata,
    Column("photo_id", String(36), primary_key=True),
    Column("complaint_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
)
contact_viewings = Table(  # who opened a reporter's contact, and when (never erased)
    "contact_viewings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", String(36), nullable=False, index=True),
    Column("viewed_at", String(40), nullable=False),
    Column("viewer", String(80), nullable=False),   # department/district/role
    Column("holder", String(64)),                   # the token's officer id, if it names one
)
supervisor_secrets = Table(
    "supervisor_secrets", metadata,
    Column("supervisor_id", String(36), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("contact", Text, nullable=False),
)

# No 0/O, 1/I/L: read out over the phone and typed on a phone without confusion.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def display_code(code):
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class Keeper:
    """Encrypts contacts and hashes codes with keys derived from one secret.

    `previous` secrets (a rotation: OTG_CONTACT_KEY_PREVIOUS) still open what they
    sealed and still recognise the codes they hashed; `reseal_all` moves the texts to
    the current secret, and a supervisor code moves when it is next used."""

    def __init__(self, secret, previous=()):
        secrets_ = [secret, *previous]
        self.fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(
            _derive(each, b"otg-contact-encryption"))) for each in secrets_])
        self.hmac_keys = [_derive(each, b"otg-code-hash") for each in secrets_]

    def seal(self, contact):
        """A token for `contact` ({name, phone, email}); None when nothing was given."""
        contact = {k: v for k, v in (contact or {}).items() if v}
        if not contact:
            return None
        return self.fernet.encrypt(json.dumps(contact, ensure_ascii=False).encode()).decode()

    def open(self, token):
        if not token:
            return None
        try:
            return json.loads(self.fernet.decrypt(token.encode()))
        except InvalidToken:
            return {"error": "cannot be decrypted with the current contact_key"}

    def seal_text(self, text):
        return self.fernet.encrypt(text.encode()).decode() if text is not None else None

    def open_text(self, token):
        if token is None:
            return None
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return "[cannot be decrypted with the current contact_key]"

    def reseal(self, token):
        """`token` sealed with the current secret (InvalidToken if no secret opens it)."""
        return self.fernet.rotate(token.encode()).decode() if token else token

    def code_hash(self, code, key=None):
        return hmac.new(key or self.hmac_keys[0], normalize_code(code).encode(),
                        hashlib.sha256).hexdigest()

    def code_hashes(self, code):
        """The code's hash under the current secret, then under each previous one."""
        return [self.code_hash(code, key) for key in self.hmac_keys]


def _derive(secret, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"otg-complaints",
                info=info).derive(secret.encode())


# -- case files (the keeper seals and opens the free text) -------------------------------
def file_case(conn, keeper, complaint_id, tracking_code, description, contact=None,
              details=None, external_ref=None):
    conn.execute(insert(case_files).values(
        complaint_id=complaint_id, tracking_code=tracking_code,
        description=keeper.seal_text(description), contact=keeper.seal(contact),
        details=json.dumps(details or {}, ensure_ascii=False), external_ref=external_ref,
        notes="[]"))


def add_photos(conn, complaint_id, refs):
    for ref in refs:
        conn.execute(insert(photos).values(complaint_id=complaint_id, **ref))


def case_file(conn, keeper, complaint_id):
    """The case file with its texts opened; `contact` stays sealed (see Keeper.open)."""
    row = conn.execute(select(case_files).where(case_files.c.complaint_id == complaint_id)).first()
    if row is None:
        return None
    case = row._asdict()
    case["description"], case["answer"] = (keeper.open_text(case["description"]),
                                           keeper.open_text(case["answer"]))
    case["details"] = json.loads(case["details"])
    case["notes"] = [{**note, "text": keeper.open_text(note["text"])}
                     for note in json.loads(case["notes"])]
    return case


def sealed_contact(conn, complaint_id):
    return conn.execute(select(case_files.c.contact)
                        .where(case_files.c.complaint_id == complaint_id)).scalar()


def record_viewing(conn, complaint_id, viewed_at, viewer, holder):
    conn.execute(insert(contact_viewings).values(complaint_id=complaint_id, viewed_at=viewed_at,
                                                 viewer=viewer, holder=holder or None))


def viewings(conn, complaint_id):
    c = contact_viewings.c
    rows = conn.execute(select(c.viewed_at, c.viewer, c.holder)
                        .where(c.complaint_id == complaint_id).order_by(c.id))
    return [row._asdict() for row in rows]


def by_tracking_code(conn, code):
    return conn.execute(select(case_files.c.complaint_id)
                        .where(case_files.c.tracking_code == normalize_code(code))).scalar()


def tracking_code_of(conn, complaint_id):
    return conn.execute(select(case_files.c.tracking_code)
                        .where(case_files.c.complaint_id == complaint_id)).scalar()


def by_external_ref(conn, ref):
    row = conn.execute(select(case_files.c.complaint_id, case_files.c.tracking_code)
                       .where(case_files.c.external_ref == ref)).first()
    return row._asdict() if row else None


def set_answer(conn, keeper, complaint_id, text, at):
    conn.execute(update(case_files).where(case_files.c.complaint_id == complaint_id)
                 .values(answer=keeper.seal_text(text), answered_at=at))


def add_note(conn, keeper, complaint_id, kind, text, at):
    """Reopen reasons, verification notes: free text that may be personal."""
    notes = json.loads(conn.execute(select(case_files.c.notes)
                                    .where(case_files.c.complaint_id == complaint_id)).scalar())
    notes.append({"kind": kind, "text": keeper.seal_text(text), "at": at})
    conn.execute(update(case_files).where(case_files.c.complaint_id == complaint_id)
                 .values(notes=json.dumps(notes)))


def photos_of(conn, complaint_id):
    rows = conn.execute(select(photos).where(photos.c.complaint_id == complaint_id)
                        .order_by(photos.c.photo_id))
    return [row._asdict() for row in rows]


def photo(conn, complaint_id, photo_id):
    row = conn.execute(select(photos).where(photos.c.complaint_id == complaint_id,
                                            photos.c.photo_id == photo_id)).first()
    return row._asdict() if row else None


# -- social supervisors ------------------------------------------------------------
def add_supervisor(conn, supervisor_id, code_hash, contact):
    conn.execute(insert(supervisor_secrets).values(
        supervisor_id=supervisor_id, code_hash=code_hash, contact=contact))


def supervisor_by_code(conn, keeper, code):
    """The supervisor whose code this is; a code hashed under a previous secret is
    hashed again under the current one (its first use after a rotation)."""
    current, *previous = keeper.code_hashes(code)
    row = conn.execute(select(supervisor_secrets.c.supervisor_id, supervisor_secrets.c.code_hash)
                       .where(supervisor_secrets.c.code_hash.in_([current, *previous]))).first()
    if row is None:
        return None
    if row.code_hash != current:
        conn.execute(update(supervisor_secrets)
                     .where(supervisor_secrets.c.supervisor_id == row.supervisor_id)
                     .values(code_hash=current))
    return row.supervisor_id


def supervisor_contacts(conn, supervisor_ids):
    rows = conn.execute(select(supervisor_secrets)
                        .where(supervisor_secrets.c.supervisor_id.in_(supervisor_ids)))
    return {row.supervisor_id: row.contact for row in rows}


# -- rotation of the contact key ---------------------------------------------------------
def reseal_all(connect, keeper, batch=200):
    """Seal every stored text with the current secret, `batch` case files per
    transaction (`connect()` gives one; a running service keeps working).

    Returns counts: resealed, and unreadable (no listed secret opens them; left as
    they are). Supervisor codes cannot be hashed again without the code: each moves
    when it is next used (supervisor_by_code)."""
    counts = {"resealed": 0, "unreadable": 0}

    def reseal(token):
        try:
            sealed = keeper.reseal(token)
        except InvalidToken:
            counts["unreadable"] += 1
            return token
        counts["resealed"] += token is not None
        return sealed

    after = ""
    while True:
        with connect() as conn:
            rows = conn.execute(select(case_files).where(case_files.c.complaint_id > after)
                                .order_by(case_files.c.complaint_id).limit(batch)).all()
            for row in rows:
                notes = [{**note, "text": reseal(note["text"])} for note in json.loads(row.notes)]
                conn.execute(update(case_files)
                             .where(case_files.c.complaint_id == row.complaint_id)
                             .values(description=reseal(row.description),
                                     contact=reseal(row.contact), answer=reseal(row.answer),
                                     notes=json.dumps(notes)))
        if len(rows) < batch:
            break
        after = rows[-1].complaint_id
    with connect() as conn:
        for row in conn.execute(select(supervisor_secrets)).all():
            conn.execute(update(supervisor_secrets)
                         .where(supervisor_secrets.c.supervisor_id == row.supervisor_id)
                         .values(contact=reseal(row.contact)))
    return counts
