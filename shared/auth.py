"""Signed JWT bearer tokens carrying department, district and role.

Officials' tokens (vocabulary.ROLES) call the APIs. Feed tokens (vocabulary.FEED_ROLES:
`service`, `integrator`) read events feeds only, and only the event types they name
(`types`, each `<service>.<EventName>` or `<service>.*`). Every claim is checked against
the vocabulary when a token is issued and again when it is presented
(docs/security.md, "Tokens, feeds and reads"). A named officer signed in to the console also carries
their officer id (the `officer` claim, never a name), which every event they cause names."""
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

import jwt

from shared import config, vocabulary
from shared.clock import utcnow
from shared.errors import BadRequest, Forbidden, Unauthorized

ALGORITHM = "HS256"
CITY = vocabulary.CITY
MAX_DAYS = 366  # a token lives a year at most: a leaked one does not work for ever
LEEWAY = timedelta(minutes=5)  # two machines' clocks disagree a little
SERVICE_TOKEN_LIFETIME = timedelta(minutes=10)
SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$")
# An officer id is an account id (e.g. a UUID), never a name: ASCII letters,
# digits and . _ : - only, so a name cannot pass for one.
OFFICER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# An enforcement certificate number (执法证号), e.g. 37100219001 or 鲁威执37100219002.
CERTIFICATE = r"^[0-9A-Za-z\u4e00-\u9fff()（）-]{4,40}\Z"
EVENT_TYPE = re.compile(r"^(?P<service>[a-z]+)\.(?P<name>[A-Z][A-Za-z0-9]*|\*)$")


@dataclass(frozen=True)
class Actor:
    role: str
    department: str
    district: str
    types: tuple = ()  # feed tokens only: the event types granted
    subject: str = ""  # who holds the token: an officer's id or a program's name, never a person's name
    officer: str | None = None  # the console's officer id, when a named officer acts

    @property
    def citywide(self):
        return self.district == CITY or self.role in ("coordinator", "admin")

    def can_act_in(self, district):
        return self.citywide or self.district == district

    def require_district(self, district):
        if not self.can_act_in(district):
            raise Forbidden(f"a {self.role} of district {self.district} may not act in {district}")

    def district_filter(self, district):
        """The district a read of non-public data is limited to: what a citywide official
        asks for (None: every district); an official's own district otherwise."""
        if self.citywide:
            return district
        if district and district != self.district:
            raise Forbidden(f"a {self.role} of district {self.district} may not read {district}")
        return self.district

    def may_read_event(self, service, name):
        """Whether this token's holder may read `service`'s `name` events in a feed."""
        qualified = f"{service}.{name}"
        if self.role not in vocabulary.FEED_ROLES:
            return False
        if self.role == "integrator" and qualified in vocabulary.CONFIDENTIAL_EVENTS:
            return False
        return qualified in self.types or f"{service}.*" in self.types

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        """The `actor` event attribute: never a personal name."""
        return f"{self.department}/{self.district}/{self.role}"


def claim_errors(role, department, district, types=(), subject=None, officer=None):
    """The claims that do not fit the vocabulary, as field errors (empty when all fit)."""
    errors = {}
    if officer is not None and not is_officer_id(officer):
        errors["officer"] = ["an officer id (letters, digits, . _ : -; at most 64), never a name"]
    if subject is not None and not (isinstance(subject, str) and SUBJECT.match(subject)):
        errors["holder"] = ["an id of up to 64 letters, digits and . _ : @ - (never a personal name)"]
    feed = role in vocabulary.FEED_ROLES
    if role not in vocabulary.ROLES + vocabulary.FEED_ROLES:
        errors["role"] = [f"must be one of {', '.join(vocabulary.ROLES + vocabulary.FEED_ROLES)}"]
    if department not in vocabulary.DEPARTMENTS and not (feed and not department):
        errors["department"] = [f"must be one of {', '.join(vocabulary.DEPARTMENTS)}"]
    if district not in vocabulary.DISTRICTS:
        errors["district"] = [f"must be one of {', '.join(vocabulary.DISTRICTS)}"]
    wrong = [t for t in types if not _grantable(role, t)]
    if wrong:
        errors["types"] = [f"not grantable to a {role}: {', '.join(wrong)} (each "
                           f"<service>.<EventName>; never {', '.join(vocabulary.CONFIDENTIAL_EVENTS)})"]
    elif feed and not types:
        errors["types"] = ["a feed token needs the event types it may read"]
    elif types and not feed:
        errors["types"] = [f"only a {' or '.join(vocabulary.FEED_ROLES)} token names event types"]
    return errors


def _grantable(role, event_type):
    match = EVENT_TYPE.match(event_type)
    if not match or match["service"] not in config.SERVICES:
        return False
    return role != "integrator" or event_type not in vocabulary.CONFIDENTIAL_EVENTS


def issue(role, department, district, days=30, secret=None, types=(), lifetime=None, subject=None,
          officer=None):
    """A signed token; `types` only for feed roles; `subject` (the `sub` claim) says who
    holds it: an officer's id or a program's name, never a person's name; `officer` names
    the console's officer (and is the holder unless another is given). Bad claims raise
    BadRequest."""
    subject = subject if subject is not None else officer
    errors = claim_errors(role, department, district, tuple(types), subject, officer)
    if lifetime is None and not 1 <= days <= MAX_DAYS:
        errors["days"] = [f"must be from 1 to {MAX_DAYS}"]
    if errors:
        raise BadRequest("invalid token claims", errors)
    now = utcnow()
    claims = {"role": role, "department": department, "district": district,
              "iat": now, "exp": now + (lifetime or timedelta(days=days)), "iss": "otg"}
    if types:
        claims["types"] = sorted(types)
    if subject:
        claims["sub"] = subject
    if officer is not None:
        claims["officer"] = officer
    return jwt.encode(claims, secret or config.secret("jwt_secret"), algorithm=ALGORITHM)


def issue_service(service, types, secret=None):
    """The short-lived token a service presents to read `types` from other services' feeds."""
    return issue("service", "", CITY, secret=secret, types=types,
                 lifetime=SERVICE_TOKEN_LIFETIME, subject=service)


def verify(token, secret=None):
    """The token's actor; during a rotation a token signed with a previous secret
    (`OTG_JWT_SECRET_PREVIOUS`) is still accepted until it expires."""
    secrets = [secret] if secret else [config.secret("jwt_secret"),
                                       *config.previous_secrets("jwt_secret")]
    for key in secrets:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer="otg",
                                options={"require": ["exp", "iat", "role", "department", "district"]})
        except jwt.InvalidSignatureError as error:
            failure = error  # perhaps signed with an older secret
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token: {error}") from None
        else:
            return _actor(claims)
    raise Unauthorized(f"invalid token: {failure}: it was signed with another secret than "
                       f"this service's ({_secret_source()}); issue it where the services run, "
                       "with the same OTG_JWT_SECRET or OTG_DATA_DIR (the demo's: var/demo)")


def _secret_source():
    """Where the secret comes from, never the secret or a path."""
    if os.environ.get("OTG_JWT_SECRET"):
        return "OTG_JWT_SECRET"
    return "jwt_secret.secret in its OTG_DATA_DIR"


def _actor(claims):
    """The actor of a correctly signed token whose claims are all sane."""
    types = claims.get("types", [])
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise Unauthorized("invalid token: types must be a list of event types")
    errors = claim_errors(claims["role"], claims["department"], claims["district"], tuple(types),
                          claims.get("sub"), claims.get("officer"))
    issued = datetime.fromtimestamp(claims["iat"], timezone.utc)
    expires = datetime.fromtimestamp(claims["exp"], timezone.utc)
    if issued > utcnow() + LEEWAY or expires - issued > timedelta(days=MAX_DAYS) + LEEWAY:
        errors["exp"] = [f"a token is issued in the past and lives at most {MAX_DAYS} days"]
    if errors:
        detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        raise Unauthorized(f"invalid token claims ({detail})")
    return Actor(claims["role"], claims["department"], claims["district"], tuple(types),
                 claims.get("sub", ""), claims.get("officer"))


def is_officer_id(value):
    return isinstance(value, str) and OFFICER_ID.fullmatch(value) is not None


def from_header(value):
    """The actor of an `Authorization: Bearer …` header, or None without one."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    return verify(token.strip())


def require_role(actor, roles):
    """`roles` may call; () any official; a feed token only where its role is named."""
    if actor is None:
        raise Unauthorized("this needs a bearer token (otg token issue)")
    if actor.role in vocabulary.FEED_ROLES and actor.role not in (roles or ()):
        raise Forbidden(f"a {actor.role} token reads events feeds only")
    admin_may = actor.role == "admin" and any(role in vocabulary.ROLES for role in roles or ())
    if roles and actor.role not in roles and not admin_may:
        raise Forbidden(f"role {actor.role} may not do this (needs {', '.join(roles)})")
