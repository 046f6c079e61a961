"""`otg registry …`: the registrar's bulk import."""
import sys

import click
import requests
from marshmallow import ValidationError

from shared import auth, config, tabular
from shared.institution_table import import_row
from shared.errors import BadRequest
from shared.progress import Progress

from . import schemas


@click.group()
def commands():
    """The institution registry."""


@commands.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--token", envvar="OTG_TOKEN", help="bearer token (default: an admin token issued "
              "with the local OTG_JWT_SECRET)")
@click.option("--url", default=lambda: config.service_url("registry"), show_default="OTG_REGISTRY_URL")
def import_institutions(path, token, url):
    """Register every institution of a CSV or XLSX file — all of them or none.

    Columns (English or Chinese): name/机构名称, credit_code/统一社会信用代码,
    district/区市, category/类别, address/地址, and per licence kind
    <kind>_number and <kind>_valid_until (kinds: school_permit, business_licence,
    npo_registration, fire_safety)."""
    try:
        table = tabular.read(open(path, "rb").read(), path, ())
    except BadRequest as error:
        _fail(f"{path}: {error}", error.fields)
    if not table:
        _fail(f"{path}: no institutions below the header row; nothing was imported")
    rows, errors = [], {}
    with Progress("checking rows", total=len(table), unit="rows", outcomes=("valid", "invalid")) as progress:
        for number, raw in table:
            row = import_row(raw)
            try:
                schemas.InstitutionIn().load(row)
            except ValidationError as invalid:
                errors[number] = invalid.messages
            rows.append(row)
            progress.advance(outcome="invalid" if number in errors else "valid")
    if errors:
        _fail(f"{len(errors)} of {len(rows)} rows are invalid; nothing was imported",
              {f"row {n}": messages for n, messages in errors.items()})
    token = token or auth.issue("admin", "education", "371000", days=1)
    click.echo(f"importing {len(rows)} institutions …", err=True)
    response = requests.post(f"{url}/institutions/import", json={"institutions": rows},
                             headers={"Authorization": f"Bearer {token}"}, timeout=300)
    if response.status_code != 201:
        body = response.json()
        row_errors = body.get("fields", {}).get("institutions", {})
        _fail(body.get("error", response.text), {f"row {table[int(i)][0]}": m for i, m in row_errors.items()}
              if isinstance(row_errors, dict) else body.get("fields"))
    click.echo(f"imported {response.json()['imported']} institutions")


def _fail(message, fields=None):
    click.echo(f"error: {message}", err=True)
    for where, problems in (fields or {}).items():
        click.echo(f"  {where}: {problems}", err=True)
    sys.exit(2)
