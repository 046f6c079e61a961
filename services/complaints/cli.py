"""`otg complaints …`: operator commands of the complaints service."""
import sys

import click
import requests

from shared import auth, config
from shared.errors import BadRequest
from shared.progress import Progress
from shared.vocabulary import LOCAL_DISTRICTS

from . import evidence, mail, vault
from .events import CATALOGUE, CATEGORIES


@click.group()
def commands():
    """Complaints: reports from every channel."""


@commands.command("import-mail")
@click.argument("source", type=click.Path(exists=True))
@click.option("--district", required=True, type=click.Choice(LOCAL_DISTRICTS),
              help="the district whose report mailbox this is")
@click.option("--category", type=click.Choice(CATEGORIES), default=None,
              help="for every message (default: guessed from each message's text)")
@click.option("--url", default=None, help="the complaints service (default OTG_COMPLAINTS_URL)")
@click.option("--token", envvar="OTG_TOKEN", default=None,
              help="a handler's token (default OTG_TOKEN; else one is issued with OTG_JWT_SECRET)")
def import_mail(source, district, category, url, token):
    """Import e-mailed reports from SOURCE: a directory of .eml files, a Maildir or an
    mbox file. Each message becomes a complaint (channel email) with its attachments;
    a message imported before is recognised by its Message-ID and skipped."""
    url = (url or config.service_url("complaints")).rstrip("/")
    token = token or auth.issue("handler", "education", district, days=1)
    messages = mail.read(source)
    with Progress("importing mail", total=len(messages), unit="messages",
                  outcomes=("imported", "already imported", "refused")) as progress:
        for label, raw in messages:
            outcome, detail = _import(url, token, district, category, mail.parse(label, raw))
            # the sender's address is never printed: operators' terminals end up in logs
            progress.note(f"{label}: {outcome}{' — ' + detail if detail else ''}")
            progress.advance(outcome=outcome)
    sys.exit(1 if progress.tallies["refused"] else 0)


@commands.command("reseal")
def reseal():
    """Seal every stored contact and text with the current OTG_CONTACT_KEY, after a
    rotation: run it with the new key in OTG_CONTACT_KEY and the old one in
    OTG_CONTACT_KEY_PREVIOUS (the service may keep running). See deploy/OPERATIONS.md."""
    from sqlalchemy import inspect

    from shared.store import EventStore
    store = EventStore(config.database_url("complaints"), CATALOGUE)
    try:
        if not inspect(store.engine).has_table(vault.case_files.name):
            raise click.UsageError("the complaints database has no case files "
                                   "(is <SERVICE>_DATABASE_URL / OTG_DATA_DIR the service's?)")
        keeper = vault.Keeper(config.secret("contact_key"), config.previous_secrets("contact_key"))
        counts = vault.reseal_all(store.writing, keeper)
    finally:
        store.dispose()
    click.echo(f"{counts['resealed']} text(s) sealed with the current key")
    if counts["unreadable"]:
        click.echo(f"{counts['unreadable']} text(s) no listed key opens, left as they were "
                   "(is a previous key missing from OTG_CONTACT_KEY_PREVIOUS?)", err=True)
        sys.exit(1)


def _import(url, token, district, category, message):
    if len(message.description) < 5:
        return "refused", "no text to report"
    files, skipped = _evidence(message.attachments)
    fields = {"channel": "email", "district": district, "description": message.description,
              "external_ref": message.ref, "contact_name": message.sender_name[:50],
              "contact_email": message.sender_email}
    if category:
        fields["category"] = category
    try:
        response = _post(url, token, fields, files)
        if response.status_code == 400 and "contact" in (response.json().get("fields") or {}):
            # a sender address the service does not accept: keep the report, not the address
            fields = {k: v for k, v in fields.items() if not k.startswith("contact")}
            response = _post(url, token, fields, files)
    except requests.RequestException as error:
        return "refused", f"the complaints service did not answer ({type(error).__name__})"
    if response.status_code not in (200, 201):
        return "refused", _problem(response)
    receipt = response.json()
    outcome = "imported" if response.status_code == 201 else "already imported"
    notes = [f"tracking code {receipt['tracking_code']}", f"complaint {receipt['complaint_id']}"]
    if files:
        notes.append(f"{len(files)} attachment(s) kept")
    return outcome, "; ".join(notes + skipped)


def _post(url, token, fields, files):
    return requests.post(f"{url}/complaints/intake", data=fields, files=files or None,
                         headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _evidence(attachments):
    """Attachments the service accepts (checked the same way), and notes on the others."""
    files, skipped = [], []
    for number, (name, data) in enumerate(attachments, start=1):
        try:
            evidence.check([(name, data)], documents=True)
        except BadRequest as error:
            skipped.append(f"attachment {number} not kept: {error.fields['photos'][0]}")
            continue
        if len(files) < evidence.MAX_FILES:
            files.append(("photos", (f"attachment-{number}", data, "application/octet-stream")))
        else:
            skipped.append(f"attachment {number} not kept: more than {evidence.MAX_FILES}")
    return files, skipped


def _problem(response):
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    fields = "; ".join(f"{k}: {v}" for k, v in sorted((body.get("fields") or {}).items())
                       if not k.startswith("contact"))
    return f"HTTP {response.status_code} {body.get('error', '')}{' (' + fields + ')' if fields else ''}"
