"""Evidence files kept by the service, content-addressed by SHA-256 under
`<data dir>/inspection/evidence/<first two hex>/<sha256>`. Events carry only the hash."""
import hashlib
import os
import re
import tempfile

from shared import config
from shared.errors import BadRequest, NotFound

MAX_BYTES = 20 * 1024 * 1024
HASH = re.compile(r"^[0-9a-f]{64}$")
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
              (b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"))


def root():
    return config.data_dir() / "inspection" / "evidence"


def path_of(sha256):
    return root() / sha256[:2] / sha256


def put(content):
    """Store `content` once (atomically); return its description."""
    if not content:
        raise BadRequest("the file is empty", {"file": ["no content"]})
    if len(content) > MAX_BYTES:
        raise BadRequest("the file is too large", {"file": [f"at most {MAX_BYTES} bytes"]})
    sha256 = hashlib.sha256(content).hexdigest()
    target = path_of(sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    return describe(sha256, content)


def describe(sha256, content):
    return {"sha256": sha256, "size": len(content), "media_type": media_type(content),
            "url": f"/evidence/{sha256}"}


def media_type(content):
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    return "application/octet-stream"


def read(sha256):
    if not HASH.match(sha256 or "") or not path_of(sha256).exists():
        raise NotFound(f"no evidence file {sha256}")
    return path_of(sha256).read_bytes()


def require(hashes, field="evidence"):
    """Every hash must name a stored file: events never point at nothing."""
    missing = [h for h in hashes if not HASH.match(h) or not path_of(h).exists()]
    if missing:
        raise BadRequest("unknown evidence", {field: [f"no uploaded file {h} (POST /evidence first)"
                                                      for h in missing]})
    return list(hashes)
