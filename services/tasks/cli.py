"""`otg tasks …`: check a plan file offline, start a campaign, import schools."""
import csv
import io
import sys
from pathlib import Path

import click
import requests

from shared import config
from shared.errors import BadRequest
from shared.progress import Progress

from . import plans, uploads

SCHOOL_BATCH = 200


@click.group()
def commands():
    """Campaign plans and school lists of the tasks service."""


@commands.command("check-plan")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_plan(plan_file):
    """Validate PLAN_FILE (YAML) without loading it; print each problem with its line."""
    try:
        plan = plans.parse(plan_file.read_bytes())
    except BadRequest as error:
        _fail(str(error), error.fields)
    click.echo(f"{plan['campaign_id']}: {plan['title']} — {len(plan['tasks'])} tasks, "
               f"{len(plan['districts'])} districts, from {plan['starts_on']}")
    for task in plan["tasks"]:
        click.echo(f"  {task['task_no']}. {task['title']}  (by {task['deadline']}, "
                   f"{task['measure']['kind']})")


@commands.command("start-campaign")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--token", envvar="OTG_TOKEN", required=True,
              help="a coordinator token (otg token issue --role coordinator …); or OTG_TOKEN")
def start_campaign(plan_file, token):
    """Load PLAN_FILE into the running tasks service."""
    click.echo(_post("/campaigns", token, files={"file": (plan_file.name, plan_file.read_bytes())}).text)


@commands.command("import-schools")
@click.argument("school_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--token", envvar="OTG_TOKEN", required=True,
              help="a registrar or coordinator token; or OTG_TOKEN")
def import_schools(school_file, token):
    """Add the schools of SCHOOL_FILE (CSV/XLSX: school_id,name,district).

    The whole file is checked first (a bad row refuses it, nothing is sent), then sent
    in batches; adding a school again changes nothing, so an import that broke off is
    simply run again."""
    try:
        rows = uploads.school_rows(school_file.read_bytes(), school_file.name)
    except BadRequest as error:
        _fail(str(error), error.fields)
    with Progress("importing schools", total=len(rows), unit="schools",
                  outcomes=("added", "unchanged")) as progress:
        for start in range(0, len(rows), SCHOOL_BATCH):
            batch = _schools_csv(rows[start:start + SCHOOL_BATCH])
            answer = _post("/schools/import", token,
                           files={"file": ("schools.csv", batch, "text/csv")}).json()
            progress.advance(answer["added"], outcome="added")
            progress.advance(answer["unchanged"], outcome="unchanged")


def _schools_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=uploads.SCHOOL_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _post(path, token, **kwargs):
    url = config.service_url("tasks") + path
    try:
        answer = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                               **kwargs)
    except requests.RequestException as error:
        _fail(f"the tasks service does not answer at {url}: {error}")
    if not answer.ok:
        body = answer.json() if answer.headers.get("content-type", "").startswith(
            "application/json") else {"error": answer.text}
        _fail(f"{answer.status_code}: {body.get('error')}", body.get("fields"))
    return answer


def _fail(message, fields=None):
    click.echo(f"error: {message}", err=True)
    for field, problems in (fields or {}).items():
        problems = "; ".join(map(str, problems)) if isinstance(problems, list) else problems
        click.echo(f"  {field}: {problems}", err=True)
    sys.exit(2 if fields else 1)  # 2: the input was refused
