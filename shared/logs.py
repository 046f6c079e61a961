"""Structured JSON log lines carrying the correlation id across services.

Each nameko worker runs in its own green thread; `WorkerLogContext` puts the
worker's service, correlation id and handled event id in a thread-local that
`ContextFilter` copies onto every record logged while the worker runs (`logging_as`
does the same for a reaction its stream runs itself)."""
import json
import logging
import threading
import time
from contextlib import contextmanager

from nameko.extensions import DependencyProvider

_current = threading.local()  # green-thread local once eventlet has patched threading


class WorkerLogContext(DependencyProvider):
    def worker_setup(self, worker_ctx):
        _current.fields = fields_of(worker_ctx.service_name, worker_ctx.data)

    def worker_teardown(self, worker_ctx):
        _current.fields = {}


def fields_of(service, data):
    """The fields of a worker's (or a reaction's) log lines, from its context data."""
    return {"service": service, "correlation_id": data.get("otg.correlation_id"),
            "event_id": data.get("otg.event_id"), "consumer": data.get("otg.consumer")}


@contextmanager
def logging_as(fields):
    """Log lines written inside carry `fields` (a reaction run without a worker)."""
    before = getattr(_current, "fields", {})
    _current.fields = fields
    try:
        yield
    finally:
        _current.fields = before


class ContextFilter(logging.Filter):
    def filter(self, record):
        for key, value in getattr(_current, "fields", {}).items():
            if value and not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("service", "correlation_id", "event_id", "consumer")

    def format(self, record):
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in self.FIELDS:
            value = getattr(record, key, None)
            if value:
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
