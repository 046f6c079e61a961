"""Signed JWT bearer tokens carrying department, district and role."""
import os
from dataclasses import asdict, dataclass
from datetime import timedelta

import jwt

from shared import config, vocabulary
from shared.clock import utcnow
from shared.errors import BadRequest, Forbidden, Unauthorized

ALGORITHM = "HS256"
CITY = vocabulary.CITY


@dataclass(frozen=True)
class Actor:
    role: str
    department: str
    district: str

    @property
    def citywide(self):
        return self.district == CITY or self.role in ("coordinator", "admin")

    def can_act_in(self, district):
        return self.citywide or self.district == district

    def require_district(self, district):
        if not self.can_act_in(district):
            raise Forbidden(f"a {self.role} of district {self.district} may not act in {district}")

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        """The `actor` event attribute: never a personal name."""
        return f"{self.department}/{self.district}/{self.role}"


def issue(role, department, district, days=30, secret=None):
    errors = {}
    if role not in vocabulary.ROLES:
        errors["role"] = [f"must be one of {', '.join(vocabulary.ROLES)}"]
    if department not in vocabulary.DEPARTMENTS:
        errors["department"] = [f"must be one of {', '.join(vocabulary.DEPARTMENTS)}"]
    if district not in vocabulary.DISTRICTS:
        errors["district"] = [f"must be one of {', '.join(vocabulary.DISTRICTS)}"]
    if errors:
        raise BadRequest("invalid token claims", errors)
    now = utcnow()
    claims = {"role": role, "department": department, "district": district,
              "iat": now, "exp": now + timedelta(days=days), "iss": "otg"}
    return jwt.encode(claims, secret or config.secret("jwt_secret"), algorithm=ALGORITHM)


def verify(token, secret=None):
    """The token's actor; during a rotation a token signed with a previous secret
    (`OTG_JWT_SECRET_PREVIOUS`) is still accepted until it expires."""
    secrets = [secret] if secret else [config.secret("jwt_secret"),
                                       *config.previous_secrets("jwt_secret")]
    for key in secrets:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer="otg",
                                options={"require": ["exp", "role", "department", "district"]})
        except jwt.InvalidSignatureError as error:
            failure = error  # perhaps signed with an older secret
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token: {error}") from None
        else:
            return Actor(claims["role"], claims["department"], claims["district"])
    raise Unauthorized(f"invalid token: {failure}: it was signed with another secret than "
                       f"this service's ({_secret_source()}); issue it where the services run, "
                       "with the same OTG_JWT_SECRET or OTG_DATA_DIR (the demo's: var/demo)")


def _secret_source():
    """Where the secret comes from, never the secret or a path."""
    if os.environ.get("OTG_JWT_SECRET"):
        return "OTG_JWT_SECRET"
    return "jwt_secret.secret in its OTG_DATA_DIR"


def from_header(value):
    """The actor of an `Authorization: Bearer …` header, or None without one."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    return verify(token.strip())


def require_role(actor, roles):
    if actor is None:
        raise Unauthorized("this needs a bearer token (otg token issue)")
    if roles and actor.role not in roles and actor.role != "admin":
        raise Forbidden(f"role {actor.role} may not do this (needs {', '.join(roles)})")
