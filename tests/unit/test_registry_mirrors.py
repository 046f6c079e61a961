"""Copies of registry facts in other services follow the registry's events, which
arrive in the registry's order (one queue per source: test_ordered_streams.py)."""
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
def test_a_closed_institution_stays_in_the_directory_as_closed(service, closed):
    engine = create_engine("sqlite://")
    tables = service.own_tables if service is inspection else service.reference
    tables.create_all(engine)
    with engine.begin() as conn:
        service.mirror_registered(conn, REGISTERED)
        service.mirror_closed(conn, CLOSED)
        service.mirror_closed(conn, {**CLOSED, "institution_id": "never-registered"})
        [row] = conn.execute(select(service.directory)).all()
    assert closed(row) and row.name == "海星艺术培训学校" and row.district == "371002"


def test_a_licence_renewed_after_it_expired_is_valid_again():
    from services.disclosure import mirror, projections
    engine = create_engine("sqlite://")
    projections.mirror.create_all(engine)
    licence = {"institution_id": "i-1", "kind": "school_permit"}
    with engine.begin() as conn:
        mirror.licence_changed(conn, licence, expired=True)
        assert mirror.institution(conn, "i-1")["licences"]["school_permit"]["expired"]
        mirror.licence_changed(conn, {**licence, "number": "教民137100270001",
                                      "valid_until": "2027-12-31"}, expired=False)
        permit = mirror.institution(conn, "i-1")["licences"]["school_permit"]
    assert not permit["expired"] and permit["valid_until"] == "2027-12-31"
