"""docs/events.md and docs/asyncapi.json, generated from the event classes so
they cannot drift (a test compares them with what this module generates)."""
import json

from marshmallow import fields as mf

from otg.installation import catalogues

TYPES = {mf.String: "string", mf.Integer: "integer", mf.Boolean: "boolean", mf.Float: "number",
         mf.Date: "string (date)", mf.DateTime: "string (date-time)", mf.List: "array",
         mf.Dict: "object", mf.Nested: "object", mf.Number: "number", mf.UUID: "string"}


def field_type(field):
    for cls in type(field).__mro__:
        if cls in TYPES:
            return TYPES[cls]
    return "any"


def field_rows(event_class):
    for name, field in event_class._schema.fields.items():
        choices = getattr(getattr(field, "validate", None), "choices", None)
        validators = getattr(field, "validators", []) or []
        for validator in validators:
            choices = getattr(validator, "choices", None) or choices
        note = field.metadata.get("description", "")
        if choices and len(choices) <= 12:
            note = (note + " " if note else "") + "one of " + ", ".join(f"`{c}`" for c in choices)
        yield name, field_type(field), field.required and not field.allow_none, note


def markdown():
    lines = ["# Events", "",
             "Generated from the event classes by `otg docs` — do not edit by hand.",
             "Every event travels as a CloudEvent (ARCHITECTURE.md, \"The envelope\"): on the bus in",
             "binary mode on the topic exchange `<service>.events` with the event name as routing",
             "key; in each service's feed `GET /events?after=&limit=` in the JSON format.", "",
             "Besides the CloudEvents attributes, every event has the extensions `sequence`,",
             "`position`, `correlationid`, `causationid` (when caused by another event) and",
             "`actor` (`department/district/role`, never a name). An event appended while serving",
             "a named officer's request (a console token with an officer id) also has `officer`:",
             "the officer's account id, never a name (the console resolves names); events of",
             "tokens without an officer, and of policies reacting to other events, have none.", ""]
    for service, catalogue in catalogues():
        lines += [f"## {service} — exchange `{service}.events`", ""]
        for event_class in catalogue:
            doc = (event_class.__doc__ or "").strip().splitlines()
            lines += [f"### `{event_class.NAME}` (v{event_class.VERSION})", "",
                      f"type `otg.{service}.{event_class.NAME}.v{event_class.VERSION}`"
                      + (f" — {doc[0]}" if doc else ""), "",
                      "| field | type | required | notes |", "|---|---|---|---|"]
            for name, kind, required, note in field_rows(event_class):
                lines.append(f"| `{name}` | {kind} | {'yes' if required else 'no'} | {note} |")
            lines.append("")
    return "\n".join(lines)


def _json_schema(event_class):
    properties, required = {}, []
    for name, kind, is_required, note in field_rows(event_class):
        base = kind.split(" ")[0]
        prop = {"type": base if base != "any" else "object"}
        if "(date)" in kind:
            prop["format"] = "date"
        if note:
            prop["description"] = note
        properties[name] = prop
        if is_required:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def asyncapi():
    channels, messages = {}, {}
    for service, catalogue in catalogues():
        for event_class in catalogue:
            key = f"{service}.{event_class.NAME}"
            messages[key] = {
                "name": event_class.NAME, "title": f"otg.{service}.{event_class.NAME}.v{event_class.VERSION}",
                "summary": (event_class.__doc__ or "").strip().split("\n")[0],
                "contentType": "application/json", "payload": _json_schema(event_class),
                "bindings": {"amqp": {"deliveryMode": 2}}}
            channels[key] = {
                "address": event_class.NAME,
                "messages": {event_class.NAME: {"$ref": f"#/components/messages/{key}"}},
                "bindings": {"amqp": {"is": "routingKey", "exchange": {
                    "name": f"{service}.events", "type": "topic", "durable": True, "autoDelete": False}}}}
    return {"asyncapi": "3.0.0",
            "info": {"title": "otg events", "version": "1",
                     "description": "Every exchange, routing key and payload of the five otg services."},
            "defaultContentType": "application/json", "channels": channels,
            "components": {"messages": messages}}


def write(docs_dir):
    (docs_dir / "events.md").write_text(markdown() + "\n", encoding="utf-8")
    (docs_dir / "asyncapi.json").write_text(
        json.dumps(asyncapi(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
