"""Reading e-mailed reports (stdlib `email`/`mailbox`): a directory of .eml files, a
Maildir (cur/ new/), or an mbox file. Attachments are kept as they came."""
import hashlib
import mailbox
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

MAX_DESCRIPTION = 5000


@dataclass
class Mail:
    label: str                 # where it came from (file name or mailbox key)
    ref: str                   # SHA-256 of the Message-ID (or of the message): re-imports are no-ops
    subject: str
    text: str
    sender_name: str = ""
    sender_email: str = ""
    attachments: list = field(default_factory=list)  # [(filename, bytes)]

    @property
    def description(self):
        text = "\n\n".join(part for part in (self.subject, self.text) if part).strip()
        if len(text) > MAX_DESCRIPTION:
            text = text[:MAX_DESCRIPTION - 8] + "…（已截断）"
        return text


def read(path):
    """(label, raw bytes) of every message at `path`, oldest first where known."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() == ".eml":
            return [(path.name, path.read_bytes())]
        box = mailbox.mbox(path, create=False)
        return [(f"{path.name}#{n}", box.get_bytes(key)) for n, key in enumerate(box.keys(), 1)]
    if (path / "cur").is_dir() or (path / "new").is_dir():
        box = mailbox.Maildir(path, factory=None, create=False)
        return sorted((key, box.get_bytes(key)) for key in box.keys())
    return [(str(p.relative_to(path)), p.read_bytes()) for p in sorted(path.rglob("*.eml"))]


def parse(label, raw):
    message = message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = _text(body) if body is not None else ""
    name, address = _sender(message)
    identity = (message.get("message-id") or "").strip().encode() or raw
    return Mail(label=label, ref=hashlib.sha256(identity).hexdigest(),
                subject=str(message.get("subject") or "").strip(), text=text.strip(),
                sender_name=name, sender_email=address,
                attachments=_attachments(message, body))


def _text(part):
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    return _strip_html(content) if part.get_content_subtype() == "html" else content


def _sender(message):
    try:
        addresses = message["from"].addresses if message["from"] else ()
    except (AttributeError, IndexError, ValueError):
        return "", ""
    return (addresses[0].display_name, addresses[0].addr_spec) if addresses else ("", "")


def _attachments(message, body):
    kept = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment" or part.get_filename() or part.get_content_maintype() == "image":
            data = part.get_payload(decode=True) or b""
            kept.append((part.get_filename() or f"attachment-{len(kept) + 1}", data))
    return kept


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _strip_html(html):
    parser = _TextOnly()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
