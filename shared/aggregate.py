"""Aggregates rebuilt from their events (no I/O here).

A subclass declares its state in `__init__` (every attribute, with its value
before any event) and marks its state-changing methods with `@applies(EventClass)`:
each sets what its event means, reading the fields it needs, so a field an older
event carried and nothing reads any more changes nothing on replay. Commands call
`self.trigger(EventClass, **data)`, which validates, applies and queues the event
for the unit of work to append.
"""


def applies(event_class):
    def mark(method):
        method._applies = event_class.NAME
        return method
    return mark


class Aggregate:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._appliers = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                name = getattr(attr, "_applies", None)
                if name:
                    cls._appliers[name] = attr

    def __init__(self, id):
        self.id = id
        self.version = 0          # events applied, pending included
        self.loaded_version = 0   # events already in the store
        self.pending = []

    @classmethod
    def replay(cls, id, events):
        aggregate = cls(id)
        for event in events:
            aggregate._apply(event)
        aggregate.loaded_version = aggregate.version
        return aggregate

    @property
    def exists(self):
        return self.version > 0

    def trigger(self, event_class, **data):
        event = event_class(**data)
        self._apply(event)
        self.pending.append(event)
        return event

    def _apply(self, event):
        applier = self._appliers.get(event.NAME)
        if applier is not None:
            applier(self, event)
        self.version += 1

    def collect(self):
        events, self.pending = self.pending, []
        return events
