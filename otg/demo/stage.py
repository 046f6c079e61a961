"""The demo's data dir: the services' SQLite files, secrets, evidence and logs, the
campaign clock, and `demo.json` saying whether a demo was played there (and what the
final summary shows). A dir that is not a demo's is never emptied."""
import json
import os
import shutil
from pathlib import Path

from shared import config

from .client import DemoError
from .clock import DemoClock

MARKER = "demo.json"
PID_FILE = "demo.pid"  # while the demo runs: `otg` commands find its data dir by it
DEFAULT_PATH = Path("var/demo")
PLAYED, LOADING = "played", "loading"


def running_demo(path=DEFAULT_PATH):
    """`path` if a demo runs on it now (its process is alive), else None."""
    try:
        pid = int((path / PID_FILE).read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return path


class Stage:
    def __init__(self, path):
        self.path = Path(path).expanduser().resolve()  # the services run in the project root
        self.clock = DemoClock(self.path / "clock")
        self.logs = self.path / "logs"

    def prepare(self, fresh):
        """'new' (play the campaign) or 'played' (start the services on a finished demo)."""
        marker = self.read()
        if self.path.exists() and any(self.path.iterdir()) and marker is None:
            raise DemoError(f"{self.path} is not empty and holds no demo: choose another --data-dir")
        if marker and fresh:
            shutil.rmtree(self.path)
        elif marker and marker.get("status") == PLAYED:
            return PLAYED
        elif marker:
            raise DemoError(f"{self.path} holds a demo that did not finish: run again with --fresh")
        self.path.mkdir(parents=True, exist_ok=True)
        return "new"

    def environment(self, check_interval):
        """For the demo and every service it starts: the data dir, the campaign clock,
        short periodic checks; SQLite (a `<SERVICE>_DATABASE_URL` would point elsewhere)."""
        os.environ.update({"OTG_DATA_DIR": str(self.path), "OTG_CLOCK_FILE": str(self.clock.path),
                           "OTG_CHECK_INTERVAL": str(check_interval)})
        for name in config.SERVICES:
            os.environ.pop(f"{name.upper()}_DATABASE_URL", None)
        os.environ.pop("OTG_TASKS_PLANS", None)  # the demo loads its plan over HTTP

    def claim(self):
        (self.path / PID_FILE).write_text(str(os.getpid()))

    def release(self):
        (self.path / PID_FILE).unlink(missing_ok=True)

    def read(self):
        try:
            return json.loads((self.path / MARKER).read_text())
        except (OSError, ValueError):
            return None

    def mark(self, **info):
        (self.path / MARKER).write_text(json.dumps({**(self.read() or {}), **info},
                                                   ensure_ascii=False, indent=2))
