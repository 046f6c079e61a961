"""Configuration from the environment (ARCHITECTURE.md, "Ports and commands")."""
import os
from pathlib import Path

# the officials' console first: it is a service like the others (its own events, store
# and port), a web front end that calls the other five over HTTP
SERVICES = ("console", "registry", "inspection", "tasks", "disclosure", "complaints")
DEFAULT_PORTS = {"console": 8000, "registry": 8001, "inspection": 8002, "tasks": 8003,
                 "disclosure": 8004, "complaints": 8005}
DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"


def amqp_uri():
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def data_dir():
    path = Path(os.environ.get("OTG_DATA_DIR", "./var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def port(service):
    return setting(f"OTG_{service.upper()}_PORT", DEFAULT_PORTS[service], int)


def database_url(service):
    """`<SERVICE>_DATABASE_URL` (PostgreSQL) or one SQLite file per service."""
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    return url or f"sqlite:///{data_dir() / service}.db"


def service_url(service):
    """Where another service's HTTP API (and events feed) answers."""
    default = f"http://127.0.0.1:{port(service)}"
    return os.environ.get(f"OTG_{service.upper()}_URL", default).rstrip("/")


def secret(name):
    """A secret from `OTG_<NAME>`, else one generated once and kept in the data dir.

    The file fallback lets `make run` work on a fresh machine without putting a
    well-known secret in the code; operators set the variable.
    """
    value = os.environ.get(f"OTG_{name.upper()}")
    if value:
        return value
    path = data_dir() / f"{name.lower()}.secret"
    if not path.exists():
        # written whole under a private name, then linked into place: services starting
        # together on one data dir never read a half-written secret, and the first wins
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(os.urandom(32).hex())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def previous_secrets(name):
    """Secrets retired by a rotation that must still be accepted or read:
    `OTG_<NAME>_PREVIOUS`, comma-separated, newest first (deploy/OPERATIONS.md)."""
    value = os.environ.get(f"OTG_{name.upper()}_PREVIOUS", "")
    return [item.strip() for item in value.split(",") if item.strip()]


def setting(name, default, kind=str):
    """`name` from the environment as `kind`; unset or empty gives `default` (compose
    passes `${X:-}` as empty). A value that does not parse stops with its name."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a valid {kind.__name__}") from None


def flag(text):
    """1/0, true/false, yes/no, on/off."""
    value = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}.get(text.lower())
    if value is None:
        raise ValueError(text)
    return value


def check_interval():
    """Seconds between a service's periodic checks (deadlines, expiries); tests shorten it."""
    return setting("OTG_CHECK_INTERVAL", 60.0, float)


def relay_enabled():
    """`OTG_RELAY=0` on all replicas of a service but one: one relay publishes."""
    return setting("OTG_RELAY", True, flag)


def public_rate_limit():
    """Reports one client address may file without an account (`limits` notation,
    `;`-separated); `OTG_PUBLIC_RATE_LIMIT=off` removes the limit."""
    return setting("OTG_PUBLIC_RATE_LIMIT", "10/minute;100/day")


def trusted_proxies():
    """How many reverse proxies in front of the services set X-Forwarded-For: the
    client's address is then taken from that header (0: the peer's address)."""
    return setting("OTG_TRUSTED_PROXIES", 0, int)


def quorum_queues():
    """`OTG_QUORUM_QUEUES=1` declares the services' queues as quorum queues."""
    return setting("OTG_QUORUM_QUEUES", False, flag)


def available_services():
    """The services of SERVICES that exist in this installation, in port order."""
    import importlib.util
    return tuple(name for name in SERVICES
                 if importlib.util.find_spec(f"services.{name}") is not None
                 and importlib.util.find_spec(f"services.{name}.service") is not None)
