"""`otg officers add|list|disable|reset-password|set-role`: the console's accounts,
managed by an operator on the console's own store (OTG_DATA_DIR / CONSOLE_DATABASE_URL)."""
import re
import sys

import click

from shared import auth, config
from shared.errors import OtgError
from shared.store import Context, EventStore

from . import accounts, projections as views
from .domain import Officer, one_time_password
from .events import CATALOGUE

GROUP = "officers"


def _store():
    store = EventStore(config.database_url("console"), CATALOGUE, [views.ConsoleViews()])
    store.create()
    accounts.metadata.create_all(store.engine)
    return store


def _unit(store):
    return store.unit(Context(actor="console/operator"))


def _fail(error):
    click.echo(f"error: {error}", err=True)
    for field, messages in getattr(error, "fields", {}).items():
        click.echo(f"  --{field}: {'; '.join(map(str, messages))}", err=True)
    sys.exit(2)


@click.group()
def commands():
    """The console's named officer accounts."""


@commands.command("add")
@click.option("--name", required=True, help="the officer's name (kept in the console only)")
@click.option("--role", required=True, help="registrar, inspector, handler, school, coordinator, publisher or admin")
@click.option("--department", required=True, help="education, culture_tourism, sports, market_regulation, public_security or fire")
@click.option("--district", required=True, help="GB/T 2260 code, e.g. 371002; 371000 = the whole city")
@click.option("--certificate", default=None, help="执法证号 (enforcement certificate number)")
@click.option("--login", default=None, help="the sign-in name (default: the officer's id)")
@click.option("--school", default=None, help="a school account's school id (as in the tasks service's school list); required with --role school")
def add(name, role, department, district, certificate, login, school):
    """Add an officer; prints the login and a one-time password."""
    if not name.strip() or len(name) > 100:
        _fail(OtgError("--name must be 1 to 100 characters"))
    if certificate is not None and not re.match(auth.CERTIFICATE, certificate):
        _fail(OtgError("--certificate is an enforcement certificate number (执法证号): 4-40 "
                       "letters, digits or 汉字, no spaces"))
    store, password = _store(), one_time_password()
    try:
        with _unit(store) as uow:
            officer = Officer.add(role, department, district, certified=bool(certificate),
                                  school_id=school)
            accounts.add(uow.conn, officer.id, (login or officer.id).strip(), name.strip(),
                         certificate, password)
            uow.save(officer)
    except OtgError as error:
        _fail(error)
    click.echo(f"officer {officer.id}\nlogin {login or officer.id}\none-time password {password}")


@commands.command("list")
def list_officers():
    """Every officer: id, login, role, department, district, state."""
    store = _store()
    with store.read() as conn:
        rows = views.everyone(conn)
        logins = {r["officer_id"]: accounts.by_id(conn, r["officer_id"]) for r in rows}
    for row in rows:
        account = logins[row["officer_id"]] or {}
        state = "disabled" if row["disabled"] else (
            "must change password" if row["must_change_password"] else "active")
        click.echo(f"{row['officer_id']}  {account.get('login', '?'):<20} {account.get('name', '?')}  "
                   f"{row['role']}/{row['department']}/{row['district']}"
                   f"{'/' + row['school_id'] if row['school_id'] else ''}  {state}  "
                   f"last sign-in {row['signed_in_at'] or '—'}")


def _command(officer_id, act):
    store = _store()
    try:
        with _unit(store) as uow:
            officer = uow.load(Officer, _id_of(uow.conn, officer_id))
            result = act(uow, officer)
            uow.save(officer)
    except OtgError as error:
        _fail(error)
    return officer, result


def _id_of(conn, officer_id_or_login):
    account = accounts.by_login(conn, officer_id_or_login)
    return account["officer_id"] if account else officer_id_or_login


@commands.command("disable")
@click.argument("officer")
def disable(officer):
    """Disable OFFICER (id or login): no sign-in, sessions ended at once."""
    def act(uow, aggregate):
        aggregate.disable()
        accounts.end_sessions_of(uow.conn, aggregate.id)
    aggregate, _ = _command(officer, act)
    click.echo(f"officer {aggregate.id} disabled")


@commands.command("reset-password")
@click.argument("officer")
def reset_password(officer):
    """Give OFFICER (id or login) a new one-time password (printed once)."""
    password = one_time_password()

    def act(uow, aggregate):
        aggregate.reset_password()
        accounts.set_password(uow.conn, aggregate.id, password)
        accounts.end_sessions_of(uow.conn, aggregate.id)
    aggregate, _ = _command(officer, act)
    click.echo(f"officer {aggregate.id}\none-time password {password}")


@commands.command("set-role")
@click.argument("officer")
@click.option("--role", required=True)
@click.option("--department", required=True)
@click.option("--district", required=True)
@click.option("--school", default=None, help="the school id, with --role school")
def set_role(officer, role, department, district, school):
    """Change OFFICER's role, department, district or school (their sessions end)."""
    def act(uow, aggregate):
        aggregate.change_role(role, department, district, school)
        accounts.end_sessions_of(uow.conn, aggregate.id)
    aggregate, _ = _command(officer, act)
    click.echo(f"officer {aggregate.id} is now {role}/{department}/{district}")
