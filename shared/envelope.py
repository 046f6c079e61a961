"""CloudEvents 1.0 envelope: binary content mode on the bus (attributes as `ce-`
headers, data as the JSON body) and the JSON format in feeds and files."""

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
PREFIX = "ce-"


def attributes(service, stored, catalogue):
    """The CloudEvents attributes of a stored event of `service`."""
    version = stored.version
    if stored.name in catalogue:
        version = catalogue.classes[stored.name].VERSION
    attrs = {
        "specversion": SPECVERSION,
        "id": stored.id,
        "source": f"otg/{service}",
        "type": f"otg.{service}.{stored.name}.v{version}",
        "subject": stored.stream_id,
        "time": stored.time,
        "datacontenttype": CONTENT_TYPE,
        "sequence": str(stored.sequence),
        "position": str(stored.position),
    }
    for key in ("correlationid", "causationid", "actor", "officer"):
        if stored.meta.get(key):
            attrs[key] = stored.meta[key]
    return attrs


def current_data(stored, catalogue):
    """The payload upcast to the current version of its event class."""
    if stored.name in catalogue:
        cls = catalogue.classes[stored.name]
        if stored.version < cls.VERSION:
            return cls.from_stored(stored.version, stored.data).data
    return stored.data


def to_headers(attrs):
    """AMQP headers for binary content mode (datacontenttype is the content_type)."""
    return {PREFIX + key: value for key, value in attrs.items() if key != "datacontenttype"}


def from_headers(headers):
    return {key[len(PREFIX):]: value for key, value in (headers or {}).items()
            if key.startswith(PREFIX)}


def structured(service, stored, catalogue):
    """One event in the CloudEvents JSON format."""
    event = attributes(service, stored, catalogue)
    event["data"] = current_data(stored, catalogue)
    return event


def event_name(attrs):
    """`otg.registry.InstitutionSuspended.v1` -> `InstitutionSuspended`."""
    return attrs["type"].split(".")[2]
