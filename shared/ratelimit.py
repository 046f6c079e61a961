"""A cap on what one client address may file without an account (public reports):
protection against a flood of made-up reports, not authentication.

Counted in the service's process with the `limits` library (moving window, in memory):
replicas count separately and a restart forgets. Only accepted reports count, so a
citizen who gets a form wrong is not locked out by fixing it. Behind a reverse proxy,
set OTG_TRUSTED_PROXIES to its address, or every citizen shares the proxy's address."""
import ipaddress
import math
import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shared.errors import OtgError


class TooManyRequests(OtgError):
    status = 429

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class PublicLimit:
    def __init__(self, spec):
        self.items = [] if spec.strip().lower() == "off" else parse_many(spec)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, address):
        """Refuse (429) when `address` has used up any of the limits."""
        for item in self.items:
            if not self.limiter.test(item, address):
                reset = self.limiter.get_window_stats(item, address).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(f"too many reports from this address (at most {item}); "
                                      f"try again in {wait} s", retry_after=wait)

    def count(self, address):
        """One accepted report from `address`."""
        for item in self.items:
            self.limiter.hit(item, address)


class ForwardedFor:
    """WSGI middleware: REMOTE_ADDR becomes the client's address as the trusted proxies
    saw it. X-Forwarded-For is read right to left only while the hop that wrote it is a
    trusted proxy, so an address a client wrote into the header itself is never believed.
    A trusted proxy's X-Forwarded-Proto sets the scheme (the console's Secure cookies)."""

    def __init__(self, app, proxies):
        self.app, self.proxies = app, proxies

    def __call__(self, environ, start_response):
        forwarded = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        address = environ.get("REMOTE_ADDR", "")
        proto = environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower()
        if proto in ("http", "https") and self._trusted(address):
            environ["wsgi.url_scheme"] = proto
        while forwarded and self._trusted(address):
            address = forwarded.pop()
        environ["REMOTE_ADDR"] = address
        return self.app(environ, start_response)

    def _trusted(self, address):
        try:
            return any(ipaddress.ip_address(address) in network for network in self.proxies)
        except ValueError:
            return False
