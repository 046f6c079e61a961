"""docs/events.md and docs/asyncapi.json are generated from the event classes;
this fails when someone changes an event and forgets `otg docs`."""
import json
from pathlib import Path

from otg import catalogue_docs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_events_md_is_up_to_date():
    assert (DOCS / "events.md").read_text(encoding="utf-8") == catalogue_docs.markdown() + "\n", \
        "run `otg docs` and commit docs/events.md"


def test_asyncapi_document_is_up_to_date_and_names_every_exchange():
    document = json.loads((DOCS / "asyncapi.json").read_text(encoding="utf-8"))
    assert document == catalogue_docs.asyncapi(), "run `otg docs` and commit docs/asyncapi.json"
    exchanges = {c["bindings"]["amqp"]["exchange"]["name"] for c in document["channels"].values()}
    assert {"registry.events", "inspection.events"} <= exchanges
    suspended = document["channels"]["registry.InstitutionSuspended"]
    assert suspended["address"] == "InstitutionSuspended"
