"""`otg tasks …`: check a plan file offline, start a campaign, import schools."""
import sys
from pathlib import Path

import click
import requests

from shared import config
from shared.errors import BadRequest

from . import plans


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
    _post("/campaigns", token, files={"file": (plan_file.name, plan_file.read_bytes())})


@commands.command("import-schools")
@click.argument("school_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--token", envvar="OTG_TOKEN", required=True,
              help="a registrar or coordinator token; or OTG_TOKEN")
def import_schools(school_file, token):
    """Add the schools of SCHOOL_FILE (CSV/XLSX: school_id,name,district)."""
    _post("/schools/import", token, files={"file": (school_file.name, school_file.read_bytes())})


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
    click.echo(answer.text)


def _fail(message, fields=None):
    click.echo(f"error: {message}", err=True)
    for field, problems in (fields or {}).items():
        problems = "; ".join(map(str, problems)) if isinstance(problems, list) else problems
        click.echo(f"  {field}: {problems}", err=True)
    sys.exit(2 if fields else 1)  # 2: the input was refused
