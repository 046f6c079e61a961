"""Events shaped like otg's: a registry `InstitutionRegistered`, the same body
and `ce-` headers in every part of the run."""
import json
import uuid

from shared import creditcode, envelope
from shared.clock import rfc3339, utcnow
from shared.store import StoredEvent
from shared.vocabulary import CATEGORIES

SERVICE = "registry"
DISTRICT = "371002"  # the registrar token of the run acts in this district


def credit_code(n):
    """A valid, distinct unified social credit code for institution `n`."""
    return creditcode.complete(f"91{DISTRICT}MA{n:07d}")


def registration(n):
    """The HTTP body of `POST /institutions` for institution `n`."""
    return {"name": f"海星艺术培训学校{n}", "credit_code": credit_code(n),
            "district": DISTRICT, "category": "arts", "address": f"环翠区海滨路{n}号"}


def event_data(n):
    """The payload of the `InstitutionRegistered` event that registration emits."""
    body = registration(n)
    return {"institution_id": str(uuid.uuid4()), **body,
            "supervising_department": CATEGORIES[body["category"]], "national_platform_id": None}


def amqp_message(catalogue, n=1):
    """(body, headers, routing key) exactly as the relay would publish event `n`."""
    data = event_data(n)
    stored = StoredEvent(n, str(uuid.uuid4()), data["institution_id"], 1,
                         "InstitutionRegistered", 1, rfc3339(utcnow()), data,
                         {"actor": "education/371002/registrar",
                          "correlationid": str(uuid.uuid4())})
    attrs = envelope.attributes(SERVICE, stored, catalogue)
    body = json.dumps(data, ensure_ascii=False).encode()
    return body, envelope.to_headers(attrs), stored.name
