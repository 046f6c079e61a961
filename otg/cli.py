"""`otg`: the operator's command line."""
import os
import sys
from pathlib import Path

import click

from otg import installation
from shared import auth, config, vocabulary
from shared.broker import ensure_running
from shared.errors import BadRequest
from shared.progress import Progress


# Commands that start services choose their own data dir.
STARTING = ("demo", "run")


@click.group()
@click.pass_context
def main(context):
    """otg — off-campus training governance.

    Without OTG_DATA_DIR, commands act on the running demo's data dir (var/demo:
    its secret, so tokens work against it), else on ./var."""
    try:
        config.check_secrets()  # as the services do at start (docs/security.md)
    except config.UnsafeSecret as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if "OTG_DATA_DIR" not in os.environ and context.invoked_subcommand not in STARTING:
        from otg.demo.stage import running_demo
        demo_dir = running_demo()
        if demo_dir:
            os.environ["OTG_DATA_DIR"] = str(demo_dir)
            context.call_on_close(lambda: os.environ.pop("OTG_DATA_DIR", None))  # in-process callers
            click.echo(f"otg: the demo is running: using its data dir {demo_dir} "
                       "(OTG_DATA_DIR chooses another)", err=True)


@main.command()
@click.argument("services", nargs=-1, required=True)
def run(services):
    """Run SERVICES (or `all`), one process each, until Ctrl-C."""
    from otg import runner
    names = installation.services() if services == ("all",) else services
    unknown = [s for s in names if s not in installation.services()]
    if unknown:
        raise click.UsageError(f"unknown service(s): {', '.join(unknown)}; "
                               f"available: {', '.join(installation.services())} or all")
    ensure_running(config.amqp_uri())  # (`broker` below is the command group)
    sys.exit(runner.run_until_interrupted(names))


@main.group()
def token():
    """Bearer tokens for the services' APIs."""


@token.command("issue")
@click.option("--role", required=True,
              help="registrar, inspector, handler, school, coordinator, publisher or admin; "
                   "integrator (or service) for a feed token")
@click.option("--department", default="",
              help="education, culture_tourism, sports, market_regulation, public_security or fire "
                   "(officials only)")
@click.option("--district", default=None,
              help="GB/T 2260 code, e.g. 371002; 371000 = the whole city (the default of feed tokens)")
@click.option("--types", default="", help="feed tokens: the event types granted, comma-separated "
                                          "<service>.<EventName>, e.g. registry.InstitutionRegistered")
@click.option("--holder", default=None,
              help="who holds it: an officer's id or a program's name (never a personal name)")
@click.option("--days", default=30, show_default=True, help=f"validity in days (1 to {auth.MAX_DAYS})")
@click.option("--officer", help="a named officer's id (never a name); their events carry it")
def issue_token(role, department, district, types, holder, days, officer):
    """Print a signed token (secret from OTG_JWT_SECRET)."""
    granted = [t.strip() for t in types.split(",") if t.strip()]
    if district is None:
        district = auth.CITY if role in vocabulary.FEED_ROLES else ""
    try:
        _require_known_types(granted)
        click.echo(auth.issue(role, department, district, days=days, types=granted,
                              subject=holder, officer=officer))
    except BadRequest as error:
        for field, messages in error.fields.items():
            click.echo(f"error: --{field} {'; '.join(messages)}", err=True)
        sys.exit(2)


def _require_known_types(granted):
    """A granted type names an event of this installation (a typo grants nothing)."""
    known = {f"{service}.{event.NAME}" for service, catalogue in installation.catalogues()
             for event in catalogue} | {f"{service}.*" for service in config.SERVICES}
    unknown = [t for t in granted if t not in known]
    if unknown:
        raise BadRequest("unknown event types", {"types": [f"no such event: {', '.join(unknown)}"]})


@main.command()
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False))
def docs(out):
    """Write docs/events.md and docs/asyncapi.json from the event classes."""
    from otg import catalogue_docs
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
    try:
        with Progress(f"replaying to {consumer}", unit="messages", outcomes=deadletter.OUTCOMES) as progress:
            _, missing = deadletter.replay(config.amqp_uri(), consumer, progress=progress.advance)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if missing:
        click.echo(f"kept the messages for {', '.join(missing)}: no such queue (start the "
                   "service that consumes it, then replay again)", err=True)
        sys.exit(1)


@main.group("broker")  # not `broker`: that name is the module `otg run` starts RabbitMQ with
def broker_users_group():
    """RabbitMQ users: one per service, read-only ones for integrators."""


def _access_errors(action):
    from shared.busaccess import AccessError
    try:
        return action()
    except AccessError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


@broker_users_group.command("users")
def broker_users():
    """Create or update the five services' users in the vhost of AMQP_URI (an
    administrator's URI). Passwords: OTG_BROKER_PASSWORD_<SERVICE>, else generated
    once into OTG_DATA_DIR. Prints each service's user and where its password is."""
    from shared import busaccess
    uris = _access_errors(lambda: busaccess.provision(
        config.amqp_uri(), installation.followed(installation.services())))
    vhost = busaccess.vhost_of(config.amqp_uri())
    for service in uris:
        variable = f"OTG_BROKER_PASSWORD_{service.upper()}"
        generated = config.data_dir() / f"broker_password_{service}.secret"
        where = variable if os.environ.get(variable) else generated
        click.echo(f"{service}: user {busaccess.service_user(service, vhost)} in vhost {vhost}, "
                   f"password in {where}")


@broker_users_group.command("definitions")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="the file to write")
@click.option("--vhost", default="/", show_default=True, help="the services' virtual host")
def broker_definitions(out, vhost):
    """Write the RabbitMQ definitions file compose loads at boot: the administrator
    (RABBITMQ_DEFAULT_USER/PASS) and the services' users (OTG_BROKER_PASSWORD_<SERVICE>),
    all from the environment; nothing is generated."""
    import json

    from shared import busaccess

    def document():
        check = busaccess.check_password
        passwords = {service: check(service, os.environ.get(f"OTG_BROKER_PASSWORD_{service.upper()}"))
                     for service in installation.services()}
        admin = (os.environ.get("RABBITMQ_DEFAULT_USER") or "otg",
                 check("the administrator", os.environ.get("RABBITMQ_DEFAULT_PASS")))
        return busaccess.definitions(vhost, passwords, admin=admin,
                                     followed=installation.followed(passwords))
    text = json.dumps(_access_errors(document), indent=2)
    # readable by RabbitMQ's own user: it holds salted hashes, never the passwords
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    click.echo(f"wrote {out}")


@broker_users_group.command("integrator")
@click.argument("name")
@click.option("--types", required=True,
              help="granted event types, comma-separated: registry.InstitutionSuspended,...")
def broker_integrator(name, types):
    """Create (or re-grant) integrator NAME: read-only, its queues named NAME.*, bound
    only to the granted types (bindings to types no longer granted are removed). Prints
    a new password (the old one stops working)."""
    import secrets

    from shared import busaccess

    def create():
        grants = busaccess.parse_grants(types.split(","), dict(installation.catalogues()))
        password = secrets.token_hex(24)
        vhost, management = busaccess.vhost_of(config.amqp_uri()), busaccess.Management(config.amqp_uri())
        management.load(busaccess.definitions(vhost, {}, [(name, password, grants)]))
        return password, management.revoke_bindings(vhost, name, grants)
    password, revoked = _access_errors(create)
    if revoked:
        click.echo(f"removed {revoked} binding(s) of {name}'s queues to types no longer granted", err=True)
    click.echo(busaccess.uri_for(config.amqp_uri(), name, password))


@broker_users_group.command("remove")
@click.argument("name")
def broker_remove(name):
    """Delete the broker user NAME and its queues NAME.* (an integrator that leaves)."""
    from shared import busaccess
    management, vhost = busaccess.Management(config.amqp_uri()), busaccess.vhost_of(config.amqp_uri())
    if not _access_errors(lambda: management.delete_user(name)):
        click.echo(f"error: no broker user {name}", err=True)
        sys.exit(2)
    queues = _access_errors(lambda: management.delete_queues(vhost, name))
    click.echo(f"removed {name} and {queues} queue(s)")


@broker_users_group.command("upgrade-queues")
def broker_upgrade_queues():
    """Redeclare the services' queues that an earlier release declared with other
    arguments (queue type, single active consumer), keeping their messages and
    bindings. Run it with AMQP_URI as the administrator, the services stopped."""
    from shared import broker as queues
    from shared.busaccess import Management, vhost_of
    uri, vhost = config.amqp_uri(), vhost_of(config.amqp_uri())
    management = Management(uri)
    listed = _access_errors(lambda: management.queues(vhost))
    in_use = []
    for queue in listed:
        if queue["name"].startswith("upgrade."):
            queues.finish(uri, queue["name"])
            click.echo(f"finished moving {queue['name']}")
        elif queues.outdated(queue):
            try:
                kept = queues.redeclare(uri, queue["name"], management.bindings_to(vhost, queue["name"]))
            except queues.QueueInUse:
                in_use.append(queue["name"])
                continue
            click.echo(f"redeclared {queue['name']} ({kept} message(s) kept)")
    if in_use:
        click.echo(f"error: still consumed, stop the services first: {', '.join(in_use)}", err=True)
        sys.exit(2)


@main.group()
def projections():
    """Read models: rebuild them from the event store."""


@projections.command("rebuild")
@click.argument("service")
@click.option("--without-directory", is_flag=True,
              help="keep the institution directory as it is (rebuild the read models only)")
def rebuild_projections(service, without_directory):
    """Drop and rebuild SERVICE's read models from its events, and its institution
    directory from the registry's feed (stop the service first)."""
    import requests

    from shared import directory
    from shared import projections as read_models
    store, tables = _service_store(service)
    total = store.last_position()
    for projection in store.projections:
        with Progress(f"{service}: {projection.NAME}", total=total, unit="events") as progress:
            read_models.rebuild(store, projection, progress=progress.advance)
    click.echo(f"rebuilt {len(store.projections)} read model(s) of {service} from {total} events")
    if directory.metadata in tables and not without_directory:
        store.create(tables)  # the directory's, as the service has them
        try:
            with Progress(f"{service}: institution directory", unit="events") as progress:
                count = directory.refill(store, _counted(directory.registry_feed(service),
                                                         progress.advance))
        except requests.RequestException as error:
            click.echo(f"otg: the institution directory was left as it was: the registry's feed "
                       f"({config.service_url('registry')}/events) could not be read: {error}",
                       err=True)
            sys.exit(1)
        click.echo(f"rebuilt the institution directory of {service} from {count} registry events")


def _counted(items, advance):
    for item in items:
        yield item
        advance(1)


def _service_store(service):
    from shared.store import EventStore
    if service not in installation.services():
        raise click.UsageError(f"unknown service {service!r}")
    url = config.database_url(service, create=False)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        click.echo(f"otg: no {service} database at {url.removeprefix('sqlite:///')}: set "
                   f"OTG_DATA_DIR to the data dir the service runs on (the demo's: var/demo) "
                   f"or {service.upper()}_DATABASE_URL", err=True)
        sys.exit(2)  # nothing created: an empty database would look like a lost one
    provider = installation.store(service)
    return EventStore(url, provider.catalogue,
                      [projection() for projection in provider.projections]), provider.tables


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
    from otg import demo as demo_module
    sys.exit(demo_module.run(data_dir, fresh=fresh, institutions=institutions, seed=seed,
                             wait=not no_wait, check_interval=check_interval))


def _load_service_commands():
    """Each service may add its own group in `services/<name>/cli.py`, named
    after the service unless the module names it (`GROUP`, e.g. `otg officers`)."""
    for name, module in installation.command_groups():
        main.add_command(module.commands, getattr(module, "GROUP", name))


if os.environ.get("OTG_CLI_NO_PLUGINS") != "1":
    _load_service_commands()
