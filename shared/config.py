"""Configuration from the environment (ARCHITECTURE.md, "Ports and commands")."""
import os
from pathlib import Path

SERVICES = ("registry", "inspection", "tasks", "disclosure", "complaints")
DEFAULT_PORTS = {"registry": 8001, "inspection": 8002, "tasks": 8003,
                 "disclosure": 8004, "complaints": 8005}
DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"


def amqp_uri():
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def data_dir():
    path = Path(os.environ.get("OTG_DATA_DIR", "./var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def port(service):
    return int(os.environ.get(f"OTG_{service.upper()}_PORT", DEFAULT_PORTS[service]))


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
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    value = os.urandom(32).hex()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def previous_secrets(name):
    """Secrets retired by a rotation that must still be accepted or read:
    `OTG_<NAME>_PREVIOUS`, comma-separated, newest first (deploy/OPERATIONS.md)."""
    value = os.environ.get(f"OTG_{name.upper()}_PREVIOUS", "")
    return [item.strip() for item in value.split(",") if item.strip()]


def check_interval():
    """Seconds between a service's periodic checks (deadlines, expiries); tests shorten it."""
    return float(os.environ.get("OTG_CHECK_INTERVAL", 60))


def relay_enabled():
    """`OTG_RELAY=0` on all replicas of a service but one: one relay publishes."""
    return os.environ.get("OTG_RELAY", "1") != "0"


def public_rate_limit():
    """Reports one client address may file without an account (`limits` notation,
    `;`-separated); `OTG_PUBLIC_RATE_LIMIT=off` removes the limit."""
    return os.environ.get("OTG_PUBLIC_RATE_LIMIT", "10/minute;100/day")


def trusted_proxies():
    """How many reverse proxies in front of the services set X-Forwarded-For: the
    client's address is then taken from that header (0: the peer's address)."""
    return int(os.environ.get("OTG_TRUSTED_PROXIES", "0"))


def quorum_queues():
    """`OTG_QUORUM_QUEUES=1` declares the services' queues as quorum queues."""
    return os.environ.get("OTG_QUORUM_QUEUES", "0") == "1"


def available_services():
    """The services of SERVICES that exist in this installation, in port order."""
    import importlib.util
    return tuple(name for name in SERVICES
                 if importlib.util.find_spec(f"services.{name}") is not None
                 and importlib.util.find_spec(f"services.{name}.service") is not None)
