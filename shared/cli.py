"""`otg`: the operator's command line."""
import importlib
import os
import sys

import click

from shared import auth, broker, config
from shared.errors import BadRequest


@click.group()
def main():
    """otg — off-campus training governance."""


@main.command()
@click.argument("services", nargs=-1, required=True)
def run(services):
    """Run SERVICES (or `all`), one process each, until Ctrl-C."""
    from shared import runner
    names = config.available_services() if services == ("all",) else services
    unknown = [s for s in names if s not in config.available_services()]
    if unknown:
        raise click.UsageError(f"unknown service(s): {', '.join(unknown)}; "
                               f"available: {', '.join(config.available_services())} or all")
    broker.ensure_running(config.amqp_uri())
    sys.exit(runner.run_until_interrupted(names))


@main.group()
def token():
    """Bearer tokens for the services' APIs."""


@token.command("issue")
@click.option("--role", required=True, help="registrar, inspector, handler, school, coordinator, publisher or admin")
@click.option("--department", required=True, help="education, culture_tourism, sports, market_regulation, public_security or fire")
@click.option("--district", required=True, help="GB/T 2260 code, e.g. 371002; 371000 = the whole city")
@click.option("--days", default=30, show_default=True, help="validity in days")
def issue_token(role, department, district, days):
    """Print a signed token (secret from OTG_JWT_SECRET)."""
    try:
        click.echo(auth.issue(role, department, district, days=days))
    except BadRequest as error:
        for field, messages in error.fields.items():
            click.echo(f"error: --{field} {'; '.join(messages)}", err=True)
        sys.exit(2)


@main.command()
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False))
def docs(out):
    """Write docs/events.md and docs/asyncapi.json from the event classes."""
    from pathlib import Path

    from shared import catalogue_docs
    catalogue_docs.write(Path(out))
    click.echo(f"wrote {out}/events.md and {out}/asyncapi.json")


def _load_service_commands():
    """Each service may add its own group in `services/<name>/commands.py`."""
    for name in config.available_services():
        try:
            module = importlib.import_module(f"services.{name}.commands")
        except ModuleNotFoundError as error:
            if error.name != f"services.{name}.commands":
                raise
            continue
        main.add_command(module.commands, name)


if os.environ.get("OTG_CLI_NO_PLUGINS") != "1":
    _load_service_commands()
