"""The registry's institutions as its followers keep them (shared.directory): one table,
fed by the registry's events in the registry's order (one queue per source:
test_ordered_streams.py), read by inspection, complaints, tasks and disclosure."""
import pytest
from sqlalchemy import create_engine

from services.complaints import projections as complaints
from services.inspection import projections as inspection
from shared import directory

REGISTERED = {"institution_id": "i-1", "name": "海星艺术培训学校", "district": "371002",
              "credit_code": "91371002MA3C00001X", "category": "arts",
              "supervising_department": "culture_tourism", "address": "环翠区海滨路1号"}
CLOSED = {"institution_id": "i-1", "district": "371002", "reason": "注销"}


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    directory.metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection


def test_a_closed_institution_stays_in_the_directory_as_closed(conn):
    directory.apply(conn, "InstitutionRegistered", REGISTERED, {})
    directory.apply(conn, "InstitutionClosed", CLOSED, {"time": "2024-01-20T02:00:00Z"})
    directory.apply(conn, "InstitutionClosed", {**CLOSED, "institution_id": "never-registered"}, {})
    entry = directory.institution(conn, "i-1")
    assert (entry["status"], entry["status_since"]) == ("closed", "2024-01-20T02:00:00Z")
    assert entry["name"] == "海星艺术培训学校" and entry["district"] == "371002"
    assert directory.institution(conn, "never-registered") is None
    assert inspection.population(conn, "371002") == []          # no longer sampled
    assert complaints.institution_names(conn, "371002") == []    # nor offered to reporters


def test_a_licence_renewed_after_it_expired_is_valid_again(conn):
    directory.apply(conn, "InstitutionRegistered", REGISTERED, {})
    licence = {"institution_id": "i-1", "kind": "school_permit"}
    directory.apply(conn, "LicenceRecorded", {**licence, "number": "教民137100270001",
                                              "valid_until": "2024-12-31"}, {})
    directory.apply(conn, "LicenceExpired", {**licence, "valid_until": "2024-12-31"}, {})
    assert directory.institution(conn, "i-1")["licences"]["school_permit"]["expired"]
    directory.apply(conn, "LicenceRecorded", {**licence, "number": "教民137100270001",
                                              "valid_until": "2027-12-31"}, {})
    permit = directory.institution(conn, "i-1")["licences"]["school_permit"]
    assert not permit["expired"] and permit["valid_until"] == "2027-12-31"
