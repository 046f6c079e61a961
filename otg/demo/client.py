"""The demo talks to the services only as any client would: HTTP, with bearer
tokens signed by `shared.auth.issue` (the secret of the demo's data dir)."""
import time

import requests

from shared import auth, config


class DemoError(Exception):
    """The demo cannot go on (a service answered unexpectedly, or too late)."""


class Client:
    def __init__(self, services):
        self.urls = {name: config.service_url(name) for name in services}
        self.session = requests.Session()
        self._tokens = {}

    def token(self, role, department, district):
        key = (role, department, district)
        if key not in self._tokens:
            self._tokens[key] = auth.issue(role, department, district, days=30)
        return self._tokens[key]

    def call(self, method, service, path, as_=None, expect=(200, 201), **kwargs):
        """The JSON answer of `service`, acting as `as_` = (role, department, district)."""
        headers = kwargs.pop("headers", {})
        if as_:
            headers["Authorization"] = f"Bearer {self.token(*as_)}"
        url = self.urls[service] + path
        try:
            answer = self.session.request(method, url, headers=headers, timeout=60, **kwargs)
        except requests.RequestException as error:
            raise DemoError(f"{method} {url}: {error}") from None
        if answer.status_code not in expect:
            raise DemoError(f"{method} {url} answered {answer.status_code}: {answer.text[:500]}")
        return answer.json() if "json" in answer.headers.get("Content-Type", "") else answer.text

    def get(self, service, path, as_=None, **kwargs):
        return self.call("GET", service, path, as_, **kwargs)

    def post(self, service, path, as_=None, **kwargs):
        return self.call("POST", service, path, as_, **kwargs)


def wait_until(check, what, timeout=60, interval=0.25):
    """Poll `check` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
