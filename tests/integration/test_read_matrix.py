"""Every read of non-public data is bound to district, role and department: a matrix of
tokens (role × district × department) against every authenticated GET route, taken from
each service's /openapi.json, over data of one district (371002)."""
import itertools
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from services.complaints.service import ComplaintsService
from services.disclosure.service import DisclosureService
from services.inspection.service import InspectionService
from services.registry.service import RegistryService
from services.tasks.service import TasksService
from shared import auth, config, vocabulary
from support import eventually, tiny_png
from test_backbone_bus import institution

HOME, OTHER, CITY = "371002", "371003", vocabulary.CITY
DEPARTMENTS = ("education", "fire", "market_regulation")
CITY_OFFICES = {"coordinator", "admin"}


def officials_of(district, roles):
    """Who may see a record of `district`: those roles there, or of the whole city."""
    return lambda role, department, where: role in roles and where in (district, CITY) or role in CITY_OFFICES


AUDIENCE = {  # who may see each seeded record (role, department, district) -> bool
    "institution": officials_of(HOME, {"registrar", "inspector", "handler", "publisher"}),
    "order": officials_of(HOME, {"registrar", "inspector", "handler"}),
    "sample": officials_of(HOME, {"inspector"}),
    # an unannounced check not yet done (and its evidence): its department only
    "check": lambda role, department, where: role in CITY_OFFICES or (
        department == "fire" and where in (HOME, CITY) and role in {"registrar", "inspector", "handler"}),
    # a prepaid-fee complaint: led by education, helped by market_regulation
    "complaint": lambda role, department, where: role in CITY_OFFICES or (
        role == "handler" and department in ("education", "market_regulation") and where in (HOME, CITY)),
}
AUDIENCE["evidence"] = AUDIENCE["check"]


@pytest.fixture
def services(start_service):
    return {cls.name: start_service(cls) for cls in (RegistryService, InspectionService, ComplaintsService,
                                                     TasksService, DisclosureService)}


def ok(answer):
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture
def seeded(services):
    """One record of each kind in district 371002; returns {marker: kind}."""
    registrar = auth.issue("registrar", "education", HOME)
    fire = auth.issue("inspector", "fire", HOME)
    registry, inspection, complaints = services["registry"], services["inspection"], services["complaints"]
    institution_id = ok(registry.post("/institutions", registrar, json=institution(7)))["id"]
    eventually(lambda: inspection.get(f"/coverage?district={HOME}", fire).json()["institutions"] == 1,
               timeout=20)
    sha256 = ok(inspection.post("/evidence", fire, files={"file": ("exit.png", tiny_png(), "image/png")}))["sha256"]
    check = ok(inspection.post("/inspections", fire, json={
        "institution_id": institution_id, "kind": "safety", "modes": ["unannounced", "night"],
        "departments": ["fire"]}))["id"]
    ok(inspection.post(f"/inspections/{check}/findings", fire, json={
        "item": "fire.evacuation", "severity": "minor", "description": "安全出口堆放杂物", "evidence": [sha256]}))
    order = ok(inspection.post("/rectifications", fire, json={
        "institution_id": institution_id, "items": ["fire.evacuation"], "deadline": "2030-01-31"}))["order_id"]
    sample = ok(inspection.post("/samples", fire, json={"district": HOME, "size": 1, "schedule": False}))["sample_id"]
    complaint = ok(complaints.post("/complaints", json={
        "district": HOME, "category": "prepaid_fee", "description": "交了学费不给退",
        "institution_name": "海星艺术培训学校"}))["complaint_id"]
    return {institution_id: "institution", check: "check", sha256: "evidence", order: "order",
            sample: "sample", complaint: "complaint"}


def secured_reads(api):
    """(path template, required query parameters) of every authenticated GET route."""
    document = api.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get and get.get("security") and path != "/events":
            yield path, [p["name"] for p in get.get("parameters", []) if p["in"] == "query" and p.get("required")]


def concrete(path, required, markers):
    values = {kind: marker for marker, kind in markers.items()}
    params = {"institution_id": values["institution"], "inspection_id": values["check"],
              "sha256": values["evidence"], "order_id": values["order"], "sample_id": values["sample"],
              "complaint_id": values["complaint"], "list_name": "white", "photo_id": "no-such-photo",
              "school_id": "no-such-school"}
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        assert name in params, f"{path}: the matrix does not know what to put in {{{name}}}"
        path = path.replace(f"{{{name}}}", params[name])
    assert set(required) <= {"district"}, f"{path}: the matrix does not know {required}"
    return path + (f"?district={HOME}" if required else "")


def tokens():
    for role, district, department in itertools.product(
            vocabulary.ROLES + vocabulary.FEED_ROLES, (HOME, OTHER, CITY), DEPARTMENTS):
        types = [f"{s}.*" for s in config.SERVICES] if role in vocabulary.FEED_ROLES else ()
        yield (role, department, district), auth.issue(role, department, district, types=types)


def test_no_read_shows_a_record_to_anyone_outside_its_district_role_and_department(services, seeded):
    routes = [(name, concrete(path, required, seeded))
              for name, api in services.items() for path, required in secured_reads(api)]
    assert len(routes) >= 15, routes
    leaks, seen = [], set()
    for (who, token), (name, path) in itertools.product(list(tokens()), routes):
        answer = services[name].get(path, token)
        if answer.status_code != 200:
            continue
        shown = {marker for marker in seeded if marker in path or marker in answer.text}
        for marker in shown:
            allowed = who[0] not in vocabulary.FEED_ROLES and AUDIENCE[seeded[marker]](*who)
            if allowed:
                seen.add(seeded[marker])
            else:
                leaks.append(f"{'/'.join(who)} reads {seeded[marker]} at {name} {path}")
    assert leaks == []
    assert seen == set(AUDIENCE), "each record is still read by those who may: the matrix can fail"


def test_every_authenticated_read_refuses_no_token_and_a_token_outside_the_vocabulary(services, seeded):
    now = datetime.now(timezone.utc)
    forged = jwt.encode({"role": "coordinator", "department": "education", "district": "999999",
                         "iss": "otg", "iat": now, "exp": now + timedelta(days=1)},
                        config.secret("jwt_secret"), algorithm=auth.ALGORITHM)
    for name, api in services.items():
        for path, required in secured_reads(api):
            path = concrete(path, required, seeded)
            assert api.get(path).status_code == 401, (name, path)
            assert api.get(path, forged).status_code == 401, (name, path)
