"""The five services, called only through their public HTTP APIs with the signed-in
officer's own token: short-lived (a minute), minted afresh for each call while the
session lives, so a disabled officer's last token dies within a minute. Feeds, which
answer only service tokens, are read with the console's own (see `Backend.feed`)."""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import jwt
import requests

from shared import auth, config
from shared.auth import ALGORITHM
from shared.clock import utcnow

log = logging.getLogger(__name__)
TOKEN_SECONDS = 60
TIMEOUT = 20


def token_for(officer):
    """A bearer token with the officer's role, department, district and id (the
    `officer` and `sub` claims: an id, never a name)."""
    now = utcnow()
    claims = {"role": officer["role"], "department": officer["department"],
              "district": officer["district"], "officer": officer["officer_id"],
              "sub": officer["officer_id"],  # the holder, as shared.auth.issue names it
              "iat": now, "exp": now + timedelta(seconds=TOKEN_SECONDS), "iss": "otg"}
    return jwt.encode(claims, config.secret("jwt_secret"), algorithm=ALGORITHM)


@dataclass
class Answer:
    """A service's answer: `ok` and `data`, or `status`, `message` and field errors."""
    status: int
    data: object = None
    message: str = ""
    fields: dict = field(default_factory=dict)

    @property
    def ok(self):
        return 200 <= self.status < 300


class Backend:
    def __init__(self, officer):
        self.officer = officer

    def get(self, service, path, params=None):
        return self._call("GET", service, path, params=_clean(params))

    def post(self, service, path, json=None, files=None, data=None):
        return self._call("POST", service, path, json=json, files=files, data=data)

    def feed(self, service, after, limit):
        """A page of `service`'s feed, read with the console's own service token for that
        service's events alone: feeds answer service tokens, never an officer's. Callers
        show only events of an aggregate the officer has just read with their own token."""
        token = auth.issue_service("console", [f"{service}.*"])
        try:
            response = requests.get(config.service_url(service) + "/events", timeout=TIMEOUT,
                                    params={"after": after, "limit": limit},
                                    headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as error:
            log.warning("GET %s /events failed: %s", service, type(error).__name__)
            return Answer(502, message=f"{service} 服务暂时无法访问 ({service} is not answering)")
        return Answer(response.status_code, data=response.json() if response.ok else None)

    def raw(self, service, path):
        """A file (a photo, an evidence image) as (status, content type, bytes)."""
        try:
            response = requests.get(config.service_url(service) + path, timeout=TIMEOUT,
                                    headers=self._headers())
        except requests.RequestException:
            return 502, "text/plain", b""
        return response.status_code, response.headers.get("Content-Type", ""), response.content

    def _headers(self):
        return {"Authorization": f"Bearer {token_for(self.officer)}"}

    def _call(self, method, service, path, headers=None, **kwargs):
        try:
            response = requests.request(method, config.service_url(service) + path,
                                        headers=headers or self._headers(), timeout=TIMEOUT,
                                        **kwargs)
        except requests.RequestException as error:
            log.warning("%s %s %s failed: %s", method, service, path, type(error).__name__)
            return Answer(502, message=f"{service} 服务暂时无法访问 ({service} is not answering)")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.ok:
            return Answer(response.status_code, body)
        body = body if isinstance(body, dict) else {}
        return Answer(response.status_code, message=body.get("error", response.reason),
                      fields=body.get("fields") or {})


def _clean(params):
    return {k: v for k, v in (params or {}).items() if v not in (None, "")}
