"""Explicit, versioned event classes and the catalogue that decodes stored ones.

An event class has a stable NAME (the routing key), a VERSION, a marshmallow
Schema for its wire shape, and upcasters that lift older versions to the current
one: `upcasters = {1: v1_to_v2}` turns a stored v1 payload into v2.
"""
from marshmallow import Schema, ValidationError, fields  # noqa: F401 (re-exported)

from shared.errors import BadRequest


class EventSchema(Schema):
    class Meta:
        ordered = True


class Event:
    NAME = None
    VERSION = 1
    Schema = EventSchema
    upcasters = {}

    __slots__ = ("data", "meta")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.NAME = cls.__name__
        cls._schema = cls.Schema()
        for field_name, field in cls._schema.fields.items():
            key = field.data_key or field_name
            if not hasattr(cls, key):  # a class attribute wins, as it did over __getattr__
                setattr(cls, key, _PayloadField(key))

    def __init__(self, **data):
        errors = self._schema.validate(data)
        if errors:
            raise BadRequest(f"invalid {self.NAME} event", errors)
        self.data = data
        self.meta = None  # a StoredEvent once appended or loaded

    @classmethod
    def from_stored(cls, version, data):
        """Rebuild from the store without re-validating, upcasting old versions."""
        while version < cls.VERSION:
            data = cls.upcasters[version](data)
            version += 1
        event = cls.__new__(cls)
        event.data = data
        event.meta = None
        return event

    def __getattr__(self, name):
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        return f"{self.NAME}({self.data!r})"

    def __eq__(self, other):
        return type(self) is type(other) and self.data == other.data


class _PayloadField:
    """`event.<key>` for a schema field: what __getattr__ answers, without first
    failing the ordinary look-up (half of what Aggregate.replay cost before).
    Not a data descriptor, and absent on the class: all else looks as before."""
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __get__(self, event, owner=None):
        if event is None:
            raise AttributeError(self.key)
        try:
            return event.data[self.key]
        except KeyError:
            raise AttributeError(self.key) from None


class Catalogue:
    """The event classes one service owns, by name."""

    def __init__(self, service, *classes):
        self.service = service
        self.classes = {cls.NAME: cls for cls in classes}

    def __iter__(self):
        return iter(self.classes.values())

    def __contains__(self, name):
        return name in self.classes

    def decode(self, name, version, data):
        return self.classes[name].from_stored(version, data)

    def type_of(self, name):
        cls = self.classes[name]
        return f"otg.{self.service}.{cls.NAME}.v{cls.VERSION}"
