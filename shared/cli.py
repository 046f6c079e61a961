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
@click.option("--officer", help="a named officer's id (never a name); their events carry it")
def issue_token(role, department, district, days, officer):
    """Print a signed token (secret from OTG_JWT_SECRET)."""
    try:
        click.echo(auth.issue(role, department, district, days=days, officer=officer))
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
    Path(out).mkdir(parents=True, exist_ok=True)
    catalogue_docs.write(Path(out))
    click.echo(f"wrote {out}/events.md and {out}/asyncapi.json")


@main.group()
def events():
    """Watch the events of the services."""


@events.command("tail")
@click.option("--service", "services", multiple=True, help="only this service (repeatable)")
@click.option("--type", "event_type", help="only this event name, e.g. HazardFound")
def tail_events(services, event_type):
    """Print live events as they are published (Ctrl-C to stop)."""
    from shared import tail
    unknown = [s for s in services if s not in config.SERVICES]
    if unknown:
        raise click.UsageError(f"unknown service(s): {', '.join(unknown)}")
    try:
        tail.follow(config.amqp_uri(), services or config.SERVICES, event_type,
                    on_event=lambda attrs, data: click.echo(tail.line(attrs, data)))
    except KeyboardInterrupt:
        pass


@main.group()
def dlq():
    """Dead-lettered messages: list them, send them back."""


@dlq.command("list")
@click.argument("consumer", required=False)
def dlq_list(consumer):
    """List parked messages (of CONSUMER, e.g. registry.handle_inspection_hazard_found)."""
    from shared import deadletter
    consumers = [consumer] if consumer else deadletter.consumers_with_messages()
    if not consumers:
        click.echo("no dead-lettered messages")
    for name in consumers:
        for message in deadletter.read(config.amqp_uri(), name):
            headers = message.headers or {}
            click.echo(f"{name}  {headers.get('ce-type', '?')}  {headers.get('ce-id', '?')}  "
                       f"{headers.get('x-otg-reason', '')}")


@dlq.command("replay")
@click.argument("consumer")
def dlq_replay(consumer):
    """Send CONSUMER's parked messages back to the queue they came from."""
    from shared import deadletter
    count, missing = deadletter.replay(config.amqp_uri(), consumer)
    click.echo(f"replayed {count} message(s) to {consumer}")
    if missing:
        click.echo(f"kept the messages for {', '.join(missing)}: no such queue (start the "
                   "service that consumes it, then replay again)", err=True)
        sys.exit(1)


@main.group()
def projections():
    """Read models: rebuild them from the event store."""


@projections.command("rebuild")
@click.argument("service")
def rebuild_projections(service):
    """Drop and rebuild SERVICE's read models from its events (stop the service first)."""
    from shared import projections as read_models
    store = _service_store(service)
    total = store.last_position()
    for projection in store.projections:
        with click.progressbar(length=total, label=f"{service}: {projection.NAME}",
                               file=sys.stderr) as progress:
            read_models.rebuild(store, projection, progress=progress.update)
    click.echo(f"rebuilt {len(store.projections)} read model(s) of {service} from {total} events")


def _service_store(service):
    from shared.service import Store
    from shared.store import EventStore
    if service not in config.available_services():
        raise click.UsageError(f"unknown service {service!r}")
    module = importlib.import_module(f"services.{service}.service")
    provider = next(value for cls in vars(module).values() if isinstance(cls, type)
                    for value in vars(cls).values() if isinstance(value, Store))
    return EventStore(config.database_url(service), provider.catalogue,
                      [projection() for projection in provider.projections])


@main.command(short_help="Play the Weihai winter campaign on all five services (start here).")
@click.option("--data-dir", default="./var/demo", show_default=True,
              type=click.Path(file_okay=False), help="the demo's databases, files, clock and logs")
@click.option("--fresh", is_flag=True,
              help="empty the demo data dir first and play the campaign again")
@click.option("--institutions", default=300, show_default=True, type=click.IntRange(24, 5000),
              help="how many institutions the data set has (fewer is quicker)")
@click.option("--seed", default=2024, show_default=True, help="the same seed makes the same data set")
@click.option("--no-wait", is_flag=True,
              help="play, print the URLs, then stop the services and exit (for tests)")
@click.option("--check-interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="seconds between the services' deadline checks")
def demo(data_dir, fresh, institutions, seed, no_wait, check_interval):
    """Start all five services (SQLite in DATA_DIR, the local RabbitMQ), load a made-up
    Weihai data set and play the 2024 winter campaign through the HTTP APIs, printing
    the events as they flow; then leave the system running until Ctrl-C.

    A DATA_DIR that holds a finished demo is reused: the services start on its data and
    nothing is played again (use --fresh to play from empty). A demo that did not finish
    needs --fresh. A non-empty directory that holds no demo is never touched.
    Ports: 8001-8005, or OTG_<SERVICE>_PORT."""
    from shared import demo as demo_module
    sys.exit(demo_module.run(data_dir, fresh=fresh, institutions=institutions, seed=seed,
                             wait=not no_wait, check_interval=check_interval))


def _load_service_commands():
    """Each service may add its own group in `services/<name>/commands.py`, named
    after the service unless the module names it (`GROUP`, e.g. `otg officers`)."""
    for name in config.available_services():
        try:
            module = importlib.import_module(f"services.{name}.commands")
        except ModuleNotFoundError as error:
            if error.name != f"services.{name}.commands":
                raise
            continue
        main.add_command(module.commands, getattr(module, "GROUP", name))


if os.environ.get("OTG_CLI_NO_PLUGINS") != "1":
    _load_service_commands()
