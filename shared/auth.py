"""Signed JWT bearer tokens carrying department, district and role, and for a
named officer signed in to the console, the officer's id (never a name)."""
import re
from dataclasses import asdict, dataclass
from datetime import timedelta

import jwt

from shared import config, vocabulary
from shared.clock import utcnow
from shared.errors import BadRequest, Forbidden, Unauthorized

ALGORITHM = "HS256"
CITY = vocabulary.CITY
# An officer id is an account id (e.g. a UUID), never a name: ASCII letters,
# digits and . _ : - only, so a name cannot pass for one.
OFFICER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# An enforcement certificate number (执法证号), e.g. 37100219001 or 鲁威执37100219002.
CERTIFICATE = r"^[0-9A-Za-z\u4e00-\u9fff()（）-]{4,40}\Z"


@dataclass(frozen=True)
class Actor:
    role: str
    department: str
    district: str
    officer: str | None = None  # the console's officer id, when a named officer acts

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


def issue(role, department, district, days=30, secret=None, officer=None):
    errors = {}
    if role not in vocabulary.ROLES:
        errors["role"] = [f"must be one of {', '.join(vocabulary.ROLES)}"]
    if department not in vocabulary.DEPARTMENTS:
        errors["department"] = [f"must be one of {', '.join(vocabulary.DEPARTMENTS)}"]
    if district not in vocabulary.DISTRICTS:
        errors["district"] = [f"must be one of {', '.join(vocabulary.DISTRICTS)}"]
    if officer is not None and not is_officer_id(officer):
        errors["officer"] = ["an officer id (letters, digits, . _ : -; at most 64), never a name"]
    if errors:
        raise BadRequest("invalid token claims", errors)
    now = utcnow()
    claims = {"role": role, "department": department, "district": district,
              "iat": now, "exp": now + timedelta(days=days), "iss": "otg"}
    if officer is not None:
        claims["officer"] = officer
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
            return _actor(claims)
    raise Unauthorized(f"invalid token: {failure}")


def is_officer_id(value):
    return isinstance(value, str) and OFFICER_ID.fullmatch(value) is not None


def _actor(claims):
    officer = claims.get("officer")
    if officer is not None and not is_officer_id(officer):
        raise Unauthorized("invalid token: the officer claim is not an officer id")
    return Actor(claims["role"], claims["department"], claims["district"], officer)


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
