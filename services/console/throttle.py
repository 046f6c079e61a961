"""Sign-in throttled per account and per client address (moving windows, in the
console's memory with the `limits` library: a restart forgets, replicas count apart)."""
import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shared import config


class SignInThrottle:
    def __init__(self):
        self.per_account = parse(config.setting("OTG_CONSOLE_ACCOUNT_LIMIT", "5/15 minutes"))
        self.per_address = parse(config.setting("OTG_CONSOLE_ADDRESS_LIMIT", "20/15 minutes"))
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait(self, login, address):
        """Seconds until a sign-in may be tried again; 0 when it may now."""
        waits = [self._wait(item, key) for item, key in self._keys(login, address)]
        return max(waits)

    def failed(self, login, address):
        for item, key in self._keys(login, address):
            self.limiter.hit(item, key)

    def _keys(self, login, address):
        return ((self.per_account, f"login:{login.lower()}"), (self.per_address, f"addr:{address}"))

    def _wait(self, item, key):
        if self.limiter.test(item, key):
            return 0
        reset = self.limiter.get_window_stats(item, key).reset_time
        return max(1, math.ceil(reset - time.time()))
