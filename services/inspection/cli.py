"""`otg inspection …`: record an inspection from the command line through the
service's HTTP API (OTG_INSPECTION_URL, default http://127.0.0.1:8002)."""
import json
import sys
from pathlib import Path

import click
import requests

from shared import config, tabular
from shared.errors import BadRequest
from shared.progress import Progress

from . import schemas

TOKEN = click.option("--token", envvar="OTG_TOKEN", required=True,
                     help="bearer token from `otg token issue` (or set OTG_TOKEN)")


@click.group()
def commands():
    """Inspections, findings and rectification (talks to the inspection service)."""


def call(method, path, token=None, **kwargs):
    """One API call; the JSON answer, or the error with its fields printed and exit
    code 2 for refused input (400), 1 for any other failure."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = config.service_url("inspection") + path
    try:
        answer = requests.request(method, url, headers=headers, timeout=30, **kwargs)
    except requests.ConnectionError:
        sys.exit(f"error: the inspection service does not answer at {url} (otg run inspection)")
    body = answer.json() if answer.content else {}
    if not answer.ok:
        click.echo(f"error {answer.status_code}: {body.get('error', answer.text)}", err=True)
        for field, messages in (body.get("fields") or {}).items():
            click.echo(f"  {field}: {messages}", err=True)
        sys.exit(2 if answer.status_code == 400 else 1)
    return body


def officers(values):
    """`--officer ID=CERTIFICATE` (or just ID) -> [{officer_id, certificate}]."""
    named = []
    for value in values:
        officer_id, _, certificate = value.partition("=")
        named.append({"officer_id": officer_id, "certificate": certificate or None})
    return named


OFFICER = click.option("--officer", "officer", multiple=True, metavar="ID=CERTIFICATE",
                       help="an officer's account id and certificate number (执法证号), "
                            "e.g. off-li=37100219001 (repeatable; enforcement checks need two)")


def show(payload):
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@commands.command()
def checklists():
    """List every checklist item id with its category and title."""
    for checklist in call("GET", "/checklists"):
        click.echo(f"{checklist['id']} (version {checklist['version']}): {checklist['title']}")
        for item in checklist["items"]:
            click.echo(f"  {item['id']:<32} {item['category']:<18} {item.get('title_en', '')}")


@commands.command()
@TOKEN
@click.option("--institution", "institution_id", help="registered institution id")
@click.option("--kind", type=click.Choice(["self", "safety", "enforcement"]), required=True)
@click.option("--mode", "modes", multiple=True,
              type=click.Choice(["unannounced", "day", "night", "joint", "random_sample"]))
@click.option("--department", "departments", multiple=True, help="repeat for a joint check")
@click.option("--focus", multiple=True, help="topic checked, e.g. fire_safety (repeatable)")
@click.option("--district", help="for an unregistered site")
@click.option("--site-name", help="for an unregistered site")
@click.option("--site-address", help="for an unregistered site")
@OFFICER
def schedule(token, officer, **options):
    """Schedule an inspection; prints it (its `id` names it in the next commands)."""
    body = {k: v for k, v in options.items() if v not in (None, ())}
    body.update({k: list(v) for k, v in body.items() if isinstance(v, tuple)})
    body["officers"] = officers(officer)
    show(call("POST", "/inspections", token, json=body))


@commands.command()
@TOKEN
@click.argument("inspection_id")
@click.option("--item", required=True, help="checklist item id (otg inspection checklists)")
@click.option("--severity", type=click.Choice(["minor", "major", "critical"]), required=True)
@click.option("--description", required=True, help="what was found (do not name people)")
@click.option("--suspend-immediately", is_flag=True)
@click.option("--evidence", "files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="a photo or document to keep as evidence (repeatable)")
def finding(token, inspection_id, item, severity, description, suspend_immediately, files):
    """Record a finding; a hazard goes out at once."""
    hashes = [call("POST", "/evidence", token, files={"file": (Path(f).name, Path(f).read_bytes())})
              ["sha256"] for f in files]
    show(call("POST", f"/inspections/{inspection_id}/findings", token, json={
        "item": item, "severity": severity, "description": description,
        "suspend_immediately": suspend_immediately, "evidence": hashes}))


@commands.command("complete")
@TOKEN
@click.argument("inspection_id")
@click.option("--deadline", help="rectification deadline YYYY-MM-DD (default: 14 days)")
@OFFICER
def complete_inspection(token, inspection_id, deadline, officer):
    """Complete an inspection with the officers present (default: those scheduled);
    its findings get a rectification order."""
    body = {"rectification_deadline": deadline} if deadline else {}
    if officer:
        body["officers"] = officers(officer)
    show(call("POST", f"/inspections/{inspection_id}/complete", token, json=body))


@commands.command("show")
@TOKEN
@click.argument("inspection_id")
def show_inspection(token, inspection_id):
    """Show an inspection with its findings."""
    show(call("GET", f"/inspections/{inspection_id}", token))


@commands.command()
@TOKEN
@click.argument("order_id")
@click.option("--passed/--failed", required=True)
@click.option("--new-deadline", help="YYYY-MM-DD, required with --failed")
def verify(token, order_id, passed, new_deadline):
    """Record the re-inspection of a rectification order."""
    show(call("POST", f"/rectifications/{order_id}/verify", token,
              json={"passed": passed, "new_deadline": new_deadline}))


@commands.command("import-carry-over")
@TOKEN
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", default="安全守护", show_default=True,
              help="the earlier campaign the orders come from")
def import_carry_over(token, table, campaign):
    """Import an earlier campaign's unfinished rectifications from TABLE (CSV/XLSX:
    institution_id or credit_code, items, deadline): all of them or none, in one
    request; an order imported before is not ordered again."""
    content = table.read_bytes()
    try:
        total = len(schemas.carry_over_rows(tabular.rows(content, table.name)))
    except BadRequest as error:
        click.echo(f"error: {error}", err=True)
        for where, problems in (error.fields or {}).items():
            click.echo(f"  {where}: {problems}", err=True)
        sys.exit(2)
    with Progress("importing carry-over orders", total=total, unit="orders",
                  outcomes=("imported", "already imported")) as progress:
        answer = call("POST", "/rectifications/carry-over", token, params={"campaign": campaign},
                      files={"file": (table.name, content)})
        progress.advance(answer["imported"], outcome="imported")
        progress.advance(answer["already_imported"], outcome="already imported")
