"""Configuration from the environment (ARCHITECTURE.md, "Ports and commands")."""
import ipaddress
import os
import re
from pathlib import Path

# the officials' console first: it is a service like the others (its own events, store
# and port), a web front end that calls the other five over HTTP
SERVICES = ("console", "registry", "inspection", "tasks", "disclosure", "complaints")
DEFAULT_PORTS = {"console": 8000, "registry": 8001, "inspection": 8002, "tasks": 8003,
                 "disclosure": 8004, "complaints": 8005}
DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"
SECRETS = ("jwt_secret", "contact_key", "pupil_key")
MIN_SECRET_BYTES = 32
_PLACEHOLDER = re.compile(r"change[-_ ]?me", re.IGNORECASE)


class UnsafeSecret(ValueError):
    """A secret an attacker could guess: a placeholder, or too short."""


def amqp_uri():
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def data_dir(create=True):
    path = Path(os.environ.get("OTG_DATA_DIR", "./var"))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def port(service):
    return setting(f"OTG_{service.upper()}_PORT", DEFAULT_PORTS[service], int)


def database_url(service, create=True):
    """`<SERVICE>_DATABASE_URL` (PostgreSQL) or one SQLite file per service."""
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    return url or f"sqlite:///{data_dir(create) / service}.db"


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
        return checked_secret(f"OTG_{name.upper()}", value)
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


def checked_secret(variable, value):
    if _PLACEHOLDER.search(value):
        problem = "is still the placeholder of deploy/example.env"
    elif len(value.encode()) < MIN_SECRET_BYTES:
        problem = f"is shorter than {MIN_SECRET_BYTES} bytes"
    else:
        return value
    raise UnsafeSecret(f"{variable} {problem}: set a random value, e.g. `openssl rand -hex 32` "
                       "(docs/security.md, \"Secrets\")")


def check_secrets():
    """Stop a service at start on any unsafe secret set in its environment, also one it
    reads only later (the first token it checks, the first contact it seals)."""
    for name in SECRETS:
        value = os.environ.get(f"OTG_{name.upper()}")
        if value:
            checked_secret(f"OTG_{name.upper()}", value)


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
    """The reverse proxies whose X-Forwarded-For is believed: addresses or networks,
    comma-separated (`172.30.0.2,10.0.0.0/8`); empty or 0: none, the peer's address counts.
    A hop count (the old meaning of this setting) would let anyone reaching a service's
    port directly choose their address, so it stops the service with its name."""
    text = os.environ.get("OTG_TRUSTED_PROXIES", "").strip()
    if text in ("", "0"):
        return []
    try:
        return [ipaddress.ip_network(item.strip(), strict=False) for item in text.split(",")]
    except ValueError:
        raise ValueError(f"OTG_TRUSTED_PROXIES={text!r} is not a list of proxy addresses or "
                         "networks (e.g. 172.30.0.2,10.0.0.0/8); a hop count is not accepted") from None


QUEUE_TYPES = ("quorum", "classic")
DEFAULT_QUEUE_TYPE = "quorum"  # chosen by measurement: bench/README.md, "Queue types"


def queue_type():
    """`OTG_QUEUE_TYPE=quorum|classic`: the type of the durable queues services declare.
    `OTG_QUORUM_QUEUES=1|0`, the older setting, still counts when the new one is unset."""
    text = os.environ.get("OTG_QUEUE_TYPE", "").strip().lower()
    if not text:
        legacy = setting("OTG_QUORUM_QUEUES", None, flag)
        return DEFAULT_QUEUE_TYPE if legacy is None else QUEUE_TYPES[0 if legacy else 1]
    if text not in QUEUE_TYPES:
        raise ValueError(f"OTG_QUEUE_TYPE={text!r} is not one of {', '.join(QUEUE_TYPES)}")
    return text

