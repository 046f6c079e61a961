"""Who may speak on the bus: one RabbitMQ user per service, allowed to write only
its own exchanges and to read only its own queues and the exchanges it follows, and
read-only users for integrators, bound to the event types they were granted.

Everything is expressed as one RabbitMQ definitions document (users, permissions,
topic permissions, the five event exchanges): compose loads it at boot, `otg broker
users` posts it to the management API (docs/security.md, "The bus")."""
import base64
import hashlib
import os
import re
from urllib.parse import quote, unquote, urlparse

import requests

from shared import config

HASHING = "rabbit_password_hashing_sha256"
MIN_PASSWORD_BYTES = 32
INTEGRATOR_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
QUEUE_WORD = "[a-z0-9_]+"
URI_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


class AccessError(ValueError):
    """A grant, a name or a password an operator must fix."""


# -- names -------------------------------------------------------------------
def vhost_of(amqp_uri):
    return unquote(urlparse(amqp_uri).path[1:]) or "/"


def service_user(service, vhost="/"):
    """`otg-registry`; in another vhost `otg-registry.<vhost>` (users are per broker)."""
    return f"otg-{service}" if vhost == "/" else f"otg-{service}.{vhost}"


def uri_for(amqp_uri, user, password):
    """`amqp_uri` with another user's credentials."""
    parts = urlparse(amqp_uri)
    host = parts.netloc.rsplit("@", 1)[-1]
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return parts._replace(netloc=f"{credentials}@{host}").geturl()


def dead_letter_exchange(service):
    return f"{service}.dead-letter"


# -- what each party may do ---------------------------------------------------
def _alternatives(words):
    return "|".join(re.escape(word) for word in sorted(words))


def _topic_reads(vhost, user, grants):
    """Topic permissions: on each granted exchange, bind only to the granted names."""
    return [{"user": user, "vhost": vhost, "exchange": f"{source}.events",
             "write": "^$", "read": f"^({_alternatives(names)})$"}
            for source, names in sorted(grants.items())]


def service_access(service, followed, vhost="/"):
    """(permission, topic permissions) of a service's user. Its own: the exchanges
    `<service>.events` and `<service>.dead-letter`, the queues `<service>.from.<source>`
    (one per source it follows) and `dlq.<service>.<method>`; it may also configure
    (delete) the per-handler queues of before, `evt-<source>-<type>--<service>.<method>`,
    which it retires (docs/decisions/ordered-streams.md)."""
    user = service_user(service, vhost)
    own = (f"{re.escape(service)}\\.(events|dead-letter)"
           f"|{re.escape(service)}\\.from\\.[a-z]+"
           f"|dlq\\.{re.escape(service)}\\.{QUEUE_WORD}")
    retired = f"|evt-[a-z]+-[A-Za-z0-9]+--{re.escape(service)}\\.{QUEUE_WORD}"
    sources = "".join(f"|{re.escape(source)}\\.events" for source in sorted(followed))
    permission = {"user": user, "vhost": vhost, "configure": f"^({own}{retired})$",
                  "write": f"^({own})$", "read": f"^({own}{sources})$"}
    return permission, _topic_reads(vhost, user, followed)


def parse_grants(types, catalogues):
    """`registry.InstitutionSuspended,inspection.HazardFound` ⇒ {source: {names}};
    every type must exist in its service's catalogue (`catalogues`: {service: catalogue})."""
    grants = {}
    for word in (word.strip() for word in types if word.strip()):
        source, _, name = word.partition(".")
        if source not in catalogues:
            raise AccessError(f"{word!r}: no service {source!r} (types are <service>.<EventName>)")
        if name not in catalogues[source]:
            raise AccessError(f"{word!r}: {source} has no event {name!r}")
        grants.setdefault(source, set()).add(name)
    if not grants:
        raise AccessError("grant at least one event type (<service>.<EventName>)")
    return grants


def integrator_access(name, grants, vhost="/"):
    """(permission, topic permissions) of an integrator: its own queues `<name>.*`,
    binding them to the granted event names only, never writing to an exchange."""
    # `<name>.…` must never match an exchange or a queue of otg or RabbitMQ
    reserved = {*config.SERVICES, "console", "amq", "dlq", "evt"}
    if not INTEGRATOR_NAME.match(name) or name.startswith("otg") or name in reserved:
        raise AccessError(f"integrator name {name!r}: lower-case letters, digits, - or _, "
                          "2-40 characters, not starting with 'otg', not one of "
                          f"{', '.join(sorted(reserved))}")
    own = f"{re.escape(name)}\\..+"
    sources = "".join(f"|{re.escape(source)}\\.events" for source in sorted(grants))
    permission = {"user": name, "vhost": vhost, "configure": f"^{own}$",
                  "write": f"^{own}$", "read": f"^({own}{sources})$"}
    return permission, _topic_reads(vhost, name, grants)


# -- passwords -----------------------------------------------------------------
def check_password(who, password):
    """At least 32 bytes, no placeholder, and characters an AMQP URI carries as they are
    (compose writes the password into AMQP_URI)."""
    if (not password or len(password.encode()) < MIN_PASSWORD_BYTES or "change-me" in password
            or not URI_SAFE.match(password)):
        raise AccessError(f"the RabbitMQ password of {who} must be at least {MIN_PASSWORD_BYTES} "
                          "letters, digits, '-', '.', '_' or '~', and not a placeholder "
                          "(e.g. `openssl rand -hex 32`)")
    return password


def password_hash(password, salt=None):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def service_password(service):
    """`OTG_BROKER_PASSWORD_<SERVICE>`, else generated once into the data dir."""
    return check_password(service, config.secret(f"broker_password_{service}"))


# -- the definitions document ---------------------------------------------------
def definitions(vhost, services, integrators=(), admin=None, followed=None):
    """A RabbitMQ definitions document. `services`: {service: password};
    `integrators`: [(name, password, grants)]; `admin`: (user, password) or None;
    `followed`: {service: {source: {event names}}} of each of `services`."""
    users, permissions, topics, followed = [], [], [], followed or {}

    def add(user, password, tags, access):
        users.append({"name": user, "password_hash": password_hash(password),
                      "hashing_algorithm": HASHING, "tags": tags})
        if access:
            permissions.append(access[0])
            topics.extend(access[1])
    if admin:
        add(admin[0], admin[1], "administrator", None)
        permissions.append({"user": admin[0], "vhost": vhost,
                            "configure": ".*", "write": ".*", "read": ".*"})
    for service, password in sorted(services.items()):
        add(service_user(service, vhost), password, "",
            service_access(service, followed[service], vhost))
    for name, password, grants in integrators:
        add(name, password, "", integrator_access(name, grants, vhost))
    exchanges = [{"name": f"{service}.events", "vhost": vhost, "type": "topic", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}}
                 for service in config.SERVICES]
    return {"users": users, "vhosts": [{"name": vhost}], "permissions": permissions,
            "topic_permissions": topics, "exchanges": exchanges}


def provision(admin_uri, followed):
    """Create or update the services' users in the vhost of `admin_uri` (whose user
    must be an administrator); `followed`: {service: {source: {event names}}}, what
    each service follows. {service: its own AMQP URI}."""
    vhost = vhost_of(admin_uri)
    passwords = {service: service_password(service) for service in followed}
    Management(admin_uri).load(definitions(vhost, passwords, followed=followed))
    return {service: uri_for(admin_uri, service_user(service, vhost), password)
            for service, password in passwords.items()}


def unprovision(admin_uri, services):
    management, vhost = Management(admin_uri), vhost_of(admin_uri)
    for service in services:
        management.delete_user(service_user(service, vhost))


# -- the management API -----------------------------------------------------------
class Management:
    """RabbitMQ's management API, as the administrator named in `admin_uri`."""

    def __init__(self, admin_uri, api_url=None):
        parts = urlparse(admin_uri)
        self.api = (api_url or os.environ.get("OTG_RABBITMQ_API")
                    or f"http://{parts.hostname or 'localhost'}:15672").rstrip("/")
        self.auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))

    def _call(self, method, path, **kwargs):
        response = requests.request(method, f"{self.api}/api/{path}", auth=self.auth,
                                    timeout=15, **kwargs)
        if response.status_code == 404 and method == "DELETE":
            return response
        if not response.ok:
            raise AccessError(f"RabbitMQ management API {method} /api/{path}: "
                              f"{response.status_code} {response.text[:200]}")
        return response

    def load(self, document):
        """Create or update what the document names (nothing else is touched)."""
        self._call("POST", "definitions", json=document)

    def revoke_bindings(self, vhost, name, grants):
        """Unbind integrator `name`'s queues from every type it is no longer granted;
        how many bindings went."""
        where = quote(vhost, safe="")
        stale = [binding for binding in self._call("GET", f"bindings/{where}").json()
                 if binding["destination_type"] == "queue" and binding["source"]
                 and binding["destination"].startswith(f"{name}.")
                 and binding["routing_key"] not in grants.get(binding["source"].removesuffix(".events"), ())]
        for binding in stale:
            names = (quote(binding[key], safe="") for key in ("source", "destination", "properties_key"))
            self._call("DELETE", "bindings/{}/e/{}/q/{}/{}".format(where, *names))
        return len(stale)

    def queues(self, vhost):
        """Every queue of the vhost: name, arguments, consumers, messages, …"""
        return self._call("GET", f"queues/{quote(vhost, safe='')}").json()

    def bindings_to(self, vhost, queue):
        """The queue's bindings from named exchanges (not the default one)."""
        path = f"queues/{quote(vhost, safe='')}/{quote(queue, safe='')}/bindings"
        return [binding for binding in self._call("GET", path).json() if binding["source"]]

    def delete_queues(self, vhost, name):
        """Delete integrator `name`'s queues (`<name>.…`), which nobody reads any more."""
        where = quote(vhost, safe="")
        queues = [queue["name"] for queue in self._call("GET", f"queues/{where}").json()
                  if queue["name"].startswith(f"{name}.")]
        for queue in queues:
            self._call("DELETE", f"queues/{where}/{quote(queue, safe='')}")
        return len(queues)

    def delete_user(self, name):
        """False when there was no such user."""
        return self._call("DELETE", f"users/{quote(name, safe='')}").status_code != 404
