"""Photos and attachments: recognised by their first bytes (never by the name or the
type the client claims), size-limited, stored once per content under the data dir."""
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from shared.errors import BadRequest

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 6
IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
          "image/heic": "heic"}
DOCUMENTS = {"application/pdf": "pdf"}  # e-mailed receipts and contracts


def sniff(head):
    """The content type of a file from its first bytes, or None when not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str
    sha256: str

    @property
    def extension(self):
        return {**IMAGES, **DOCUMENTS}[self.content_type]

    def ref(self):
        """What events and the case file keep: a reference and a hash, never the bytes."""
        return {"photo_id": str(uuid.uuid4()), "sha256": self.sha256,
                "content_type": self.content_type, "size": len(self.data)}


def check(files, documents=False):
    """Uploads for `files` [(name, bytes)]; BadRequest on the first bad one, so that
    nothing is stored for a rejected report."""
    allowed = {**IMAGES, **(DOCUMENTS if documents else {})}
    files = [(name, data) for name, data in files if name or data]  # empty file inputs
    if len(files) > MAX_FILES:
        raise BadRequest("too many photos", {"photos": [f"at most {MAX_FILES} files"]})
    uploads, problems = [], []
    for number, (name, data) in enumerate(files, start=1):
        content_type = sniff(data[:16])
        if not data:
            problems.append(f"file {number} is empty")
        elif len(data) > MAX_BYTES:
            problems.append(f"file {number} is larger than {MAX_BYTES // (1024 * 1024)} MB")
        elif content_type not in allowed:
            kinds = ", ".join(ext.upper() for ext in allowed.values())
            problems.append(f"file {number} is not an accepted type ({kinds})")
        else:
            uploads.append(Upload(data, content_type, hashlib.sha256(data).hexdigest()))
    if problems:
        raise BadRequest("unacceptable photo", {"photos": problems})
    return uploads


def read_storage(storage):
    """(name, bytes) of a werkzeug FileStorage, reading at most one byte past the limit."""
    return storage.filename or "", storage.stream.read(MAX_BYTES + 1)


def path_for(directory, sha256, content_type):
    ext = {**IMAGES, **DOCUMENTS}[content_type]
    return Path(directory) / sha256[:2] / f"{sha256}.{ext}"


def store(directory, upload):
    """Write once per content (atomic rename); the same photo twice is stored once."""
    path = path_for(directory, upload.sha256, upload.content_type)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(upload.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path
