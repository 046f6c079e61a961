"""Inspection's and complaints' copies of the registry's directory: a closure handled
before the registration it follows (each event type has its own queue) still holds."""
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
