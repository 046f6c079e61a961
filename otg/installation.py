"""The services of this installation: the one place the application looks them up
in `services/` (their classes, catalogues, subscriptions and command groups), to pass
what the library in `shared/` needs to it."""
import importlib
import importlib.util
import inspect

from shared import config


def services():
    """The services of SERVICES that exist in this installation, in port order."""
    return tuple(name for name in config.SERVICES
                 if importlib.util.find_spec(f"services.{name}") is not None
                 and importlib.util.find_spec(f"services.{name}.service") is not None)


def catalogue(service):
    return importlib.import_module(f"services.{service}.events").CATALOGUE


def catalogues():
    """(service, its event catalogue) of each service, in port order."""
    for name in services():
        yield name, catalogue(name)


def follows(service):
    """{source service: {event names}} the service's event handlers subscribe to."""
    from shared.messaging import OtgEventHandler
    module = importlib.import_module(f"services.{service}.service")
    found = {}
    for cls in vars(module).values():
        if not inspect.isclass(cls) or getattr(cls, "name", None) != service:
            continue
        for _, method in inspect.getmembers(cls, inspect.isfunction):
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if isinstance(entrypoint, OtgEventHandler):
                    found.setdefault(entrypoint.source_service, set()).add(entrypoint.event_type)
    return found


def followed(names):
    """{service: what it follows} of the services `names` (shared.busaccess's input)."""
    return {name: follows(name) for name in names}


def store(service):
    """The service's `Store` dependency provider: its catalogue and projections."""
    from shared.store_dependency import Store
    module = importlib.import_module(f"services.{service}.service")
    return next(value for cls in vars(module).values() if isinstance(cls, type)
                for value in vars(cls).values() if isinstance(value, Store))


def command_groups():
    """(service, module) of each service that adds its own group in
    `services/<name>/cli.py` (a click group `commands`, optionally its name `GROUP`)."""
    for name in services():
        try:
            module = importlib.import_module(f"services.{name}.cli")
        except ModuleNotFoundError as error:
            if error.name != f"services.{name}.cli":
                raise
            continue
        yield name, module
