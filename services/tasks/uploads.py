"""Files bureaus and schools upload: taking them from the request, keeping
implementation plans (content-addressed), reading school lists."""
import hashlib
import os
from pathlib import Path

from marshmallow import ValidationError

from shared import config, tabular
from shared.errors import BadRequest

from .schemas import SchoolIn

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = {".pdf": "application/pdf", ".doc": "application/msword",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  ".odt": "application/vnd.oasis.opendocument.text", ".wps": "application/vnd.ms-works",
                  ".txt": "text/plain", ".md": "text/markdown"}
SCHOOL_COLUMNS = ("school_id", "name", "district")


def upload(request, field="file", raw_ok=False):
    """(bytes, filename) of the multipart field `file`, or the raw body when allowed."""
    if request.mimetype == "multipart/form-data":
        sent = request.files.get(field)
        if sent is None or not sent.filename:
            raise BadRequest("no file uploaded", {field: ["attach the file as form field 'file'"]})
        return sent.read(), sent.filename
    body = request.get_data()
    if raw_ok and body:
        return body, None
    raise BadRequest("no file uploaded", {field: ["send multipart/form-data with a 'file' field"]})


def keep(content, filename):
    """Store a district's plan document under the data dir; (sha256, media type, size)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise BadRequest(f"unsupported document type {suffix or '(none)'}",
                         {"file": [f"one of {', '.join(DOCUMENT_TYPES)}"]})
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise BadRequest("the document is empty or too large",
                         {"file": [f"1 byte to {MAX_DOCUMENT_BYTES} bytes"]})
    sha256 = hashlib.sha256(content).hexdigest()
    folder = config.data_dir() / "tasks" / "implementation-plans"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha256}{suffix}"
    if not path.exists():  # same content, same name: keeping it twice changes nothing
        partial = path.with_suffix(suffix + ".part")
        partial.write_bytes(content)
        os.replace(partial, path)
    return sha256, DOCUMENT_TYPES[suffix], len(content)


def school_rows(content, filename):
    """Validated rows of a school list; a bad row refuses the whole file."""
    rows, errors = [], {}
    for number, row in tabular.read(content, filename, SCHOOL_COLUMNS):
        try:
            rows.append(SchoolIn().load({k: row.get(k, "") for k in SCHOOL_COLUMNS}))
        except ValidationError as error:
            errors[f"row {number}"] = error.messages
    if errors:
        first = next(iter(errors))
        field, messages = next(iter(errors[first].items()))
        raise BadRequest(f"{first}, {field}: {messages[0]}; nothing was stored", errors)
    if not rows:
        raise BadRequest("the school list has no rows", {"file": ["no schools"]})
    return rows
