"""Event classes, upcasters, credit codes and the CloudEvents envelope."""
from shared import creditcode, envelope
from shared.events import Catalogue, Event, EventSchema, fields
from shared.store import StoredEvent


class PlanFiled(Event):
    """v2 split `where` into district and address."""
    VERSION = 2

    class Schema(EventSchema):
        district = fields.Str(required=True)
        address = fields.Str(required=True)

    upcasters = {1: lambda data: {"district": data["where"].split(":")[0],
                                  "address": data["where"].split(":")[1]}}


CATALOGUE = Catalogue("tasks", PlanFiled)


def stored(version, data):
    return StoredEvent(7, "id-1", "plan-1", 3, "PlanFiled", version, "2024-01-20T08:00:00Z",
                       data, {"actor": "education/371002/registrar", "correlationid": "c-1"})


def test_v1_event_is_read_through_the_v2_upcaster():
    event = CATALOGUE.decode("PlanFiled", 1, {"where": "371002:海滨路"})
    assert event.data == {"district": "371002", "address": "海滨路"}


def test_current_version_is_read_as_stored():
    assert CATALOGUE.decode("PlanFiled", 2, {"district": "d", "address": "a"}).district == "d"


def test_feed_serves_old_events_upcast_with_the_current_type():
    event = envelope.structured("tasks", stored(1, {"where": "371002:x"}), CATALOGUE)
    assert event["type"] == "otg.tasks.PlanFiled.v2"
    assert event["data"] == {"district": "371002", "address": "x"}
    assert (event["sequence"], event["position"], event["subject"]) == ("3", "7", "plan-1")
    assert event["actor"] == "education/371002/registrar"


def test_binary_mode_headers_round_trip():
    attrs = envelope.attributes("tasks", stored(2, {}), CATALOGUE)
    headers = envelope.to_headers(attrs)
    assert headers["ce-id"] == "id-1" and "ce-datacontenttype" not in headers
    assert envelope.from_headers(headers)["type"] == "otg.tasks.PlanFiled.v2"


def test_credit_code_check_digit():
    code = creditcode.complete("91370000MA3C5EXA0")
    assert creditcode.problem(code) is None
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert "check digit" in creditcode.problem(wrong)
    assert creditcode.problem("123") == "must be 18 characters"
    assert "not allowed" in creditcode.problem("91370000MA3C5EXAO" + "1")


def test_known_published_credit_code_is_valid():
    # 国家税务总局's own code, as published
    assert creditcode.problem("11100000000013127D") is None
