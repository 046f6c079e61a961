"""Mirrored facts, and what a district's facts are (the institutions: shared.directory)."""
import json

import pytest
from sqlalchemy import create_engine

from services.tasks import mirror, projections
from shared import directory

SINCE = "2024-01-14T16:00:00"
AT = "2024-01-20T02:00:00"


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    projections.metadata.create_all(engine)
    projections.primary.create_all(engine)
    directory.metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection


def register(conn, institution_id, district="371002", name="海星艺术", code=None):
    directory.registered(conn, {"institution_id": institution_id, "name": name,
                                "credit_code": code or f"CODE-{institution_id}",
                                "district": district}, {})


def status(conn, event_name, institution_id):
    directory.status_changed(conn, {"institution_id": institution_id, "district": "371002"},
                             {"time": AT}, event_name)


def test_a_reinstated_institution_in_the_white_batch_is_white_again(conn):
    register(conn, "i-1")
    mirror.list_step(conn, {"district": "371002", "list": "white", "batch_no": 1},
                     published_at=AT, institution_ids=json.dumps(["i-1"]))
    status(conn, "InstitutionSuspended", "i-1")
    assert mirror.white_lookup(conn)("CODE-i-1", None)["white"] is False
    status(conn, "InstitutionReinstated", "i-1")
    assert mirror.white_lookup(conn)("CODE-i-1", None)["white"] is True


def test_a_closed_institution_is_no_longer_counted(conn):
    register(conn, "i-1")
    register(conn, "i-2")
    status(conn, "InstitutionClosed", "i-1")
    assert mirror.facts(conn, "c", "371002", SINCE)["institutions"] == 1


def test_white_list_is_the_latest_published_batch_minus_suspended_and_black(conn):
    for n in ("i-1", "i-2", "i-3"):
        register(conn, n, name=f"机构{n}")
    batch = {"district": "371002", "list": "white"}
    mirror.list_step(conn, {**batch, "batch_no": 1}, published_at=AT,
                     institution_ids=json.dumps(["i-1", "i-2", "i-3"]))
    mirror.list_step(conn, {**batch, "batch_no": 2}, published_at=AT,
                     institution_ids=json.dumps(["i-1", "i-2"]))
    status(conn, "InstitutionSuspended", "i-2")
    lookup = mirror.white_lookup(conn)
    assert lookup("CODE-i-1", None)["white"] and not lookup("CODE-i-2", None)["white"]
    assert not lookup(None, "机构 i-3")["white"]       # matched by name, dropped in batch 2
    assert lookup("UNKNOWN", "无名机构") is None


def test_facts_count_inspections_since_the_campaign_start_only(conn):
    register(conn, "i-1")
    register(conn, "i-2")
    for inspection_id, institution, kind, at in (("a", "i-1", "self", AT), ("b", "i-2", "self", "2023-12-01T00:00:00"),
                                                 ("c", "i-2", "safety", AT)):
        mirror.inspection_completed(conn, {"inspection_id": inspection_id, "institution_id": institution,
                                           "district": "371002", "kind": kind,
                                           "modes": ["night", "joint"], "focus": ["prepaid_fee"]}, at)
    facts = mirror.facts(conn, "c", "371002", SINCE)
    assert (facts["institutions"], facts["self_inspected"], facts["safety_inspected"]) == (2, 1, 1)
    assert facts["checks"] == {"self": {"night": 1, "joint": 1, "prepaid_fee": 1},
                               "safety": {"night": 1, "joint": 1, "prepaid_fee": 1}}


def test_cases_found_count_once_per_inspection_and_withdrawn_cases_do_not_count(conn):
    hazard = {"inspection_id": "k-1", "institution_id": "i-1", "district": "371002", "severity": "major"}
    mirror.case_found(conn, "HazardFound", {**hazard, "finding_id": "f-1"}, AT)
    mirror.case_found(conn, "HazardFound", {**hazard, "finding_id": "f-2"}, AT)
    mirror.case_found(conn, "UnlicensedOperationFound", {"inspection_id": "k-2", "institution_id": None,
                                                         "name": "无证托管", "district": "371002"}, AT)
    mirror.case_exposed(conn, {"case_id": "c-1", "district": "371002"}, AT)
    mirror.case_exposed(conn, {"case_id": "c-2", "district": "371002"}, AT)
    assert mirror.case_withdrawn(conn, {"case_id": "c-2", "reason": "wrong"}) == "371002"
    facts = mirror.facts(conn, "c", "371002", SINCE)
    assert (facts["cases_found"], facts["cases_exposed"]) == (2, 1)
