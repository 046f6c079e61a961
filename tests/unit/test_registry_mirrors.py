"""Copies of registry facts in other services hold whatever order their events are
handled in (each event type has its own queue)."""
import pytest
from sqlalchemy import create_engine, select

from services.complaints import projections as complaints
from services.inspection import projections as inspection

REGISTERED = {"institution_id": "i-1", "name": "海星艺术培训学校", "district": "371002",
              "credit_code": "91371002MA3C00001X", "category": "arts",
              "supervising_department": "culture_tourism", "address": "环翠区海滨路1号"}
CLOSED = {"institution_id": "i-1", "district": "371002", "reason": "注销"}


@pytest.mark.parametrize("service, closed", [(inspection, lambda row: row.closed),
                                             (complaints, lambda row: row.status == "closed")])
@pytest.mark.parametrize("order", ["registered first", "closed first"])
def test_a_closed_institution_stays_closed_whichever_event_came_first(service, closed, order):
    engine = create_engine("sqlite://")
    tables = service.own_tables if service is inspection else service.reference
    tables.create_all(engine)
    steps = [lambda c: service.mirror_registered(c, REGISTERED),
             lambda c: service.mirror_closed(c, CLOSED)]
    with engine.begin() as conn:
        for step in steps if order == "registered first" else reversed(steps):
            step(conn)
        [row] = conn.execute(select(service.directory)).all()
    assert closed(row) and row.name == "海星艺术培训学校" and row.district == "371002"


@pytest.mark.parametrize("order", ["in order", "renewal first"])
def test_a_renewal_handled_before_the_expiry_it_follows_stays_valid(order):
    from services.disclosure import mirror, projections
    engine = create_engine("sqlite://")
    projections.mirror.create_all(engine)
    licence = {"institution_id": "i-1", "kind": "school_permit"}
    expired = lambda c: mirror.licence_changed(c, licence, True, {"position": "7"})  # noqa: E731
    renewed = lambda c: mirror.licence_changed(  # noqa: E731
        c, {**licence, "number": "教民137100270001", "valid_until": "2027-12-31"}, False,
        {"position": "9"})
    with engine.begin() as conn:
        for step in (expired, renewed) if order == "in order" else (renewed, expired):
            step(conn)
        permit = mirror.institution(conn, "i-1")["licences"]["school_permit"]
    assert not permit["expired"] and permit["valid_until"] == "2027-12-31"
