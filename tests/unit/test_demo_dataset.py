"""The demo's data set and how its timeline tells events (no services, no broker)."""
import csv
import io

import pytest

from services.registry.schemas import ImportIn
from shared.creditcode import problem
from otg.demo import dataset, names
from otg.demo.labels import Teller
from otg.demo.timeline import line, pad
from shared.vocabulary import LOCAL_DISTRICTS


def test_the_same_seed_gives_the_same_data_set_and_another_seed_another():
    assert dataset.build(7, 60) == dataset.build(7, 60)
    assert dataset.build(7, 60).institutions != dataset.build(8, 60).institutions


def test_every_institution_is_one_the_registry_accepts_with_a_unique_name_and_code():
    data = dataset.build(2024, 300)
    assert len(data.institutions) == 300
    ImportIn().load({"institutions": data.institutions})   # raises on any invalid row
    assert all(problem(i["credit_code"]) is None for i in data.institutions)
    assert len({i["credit_code"] for i in data.institutions}) == 300
    assert len({i["name"] for i in data.institutions}) == 300


def test_every_district_has_institutions_and_schools_even_in_a_small_data_set():
    data = dataset.build(1, 24)
    for district in LOCAL_DISTRICTS:
        assert len(data.institutions_in(district)) >= 3
        assert len(data.schools_in(district)) >= 2


def test_the_story_picks_white_listed_institutions_in_huancui_and_wendeng():
    data = dataset.build(5, 24)
    assert data.hazard["district"] == "371002" and dataset.on_white_list(data.hazard)
    assert data.complained["district"] == "371003" and dataset.on_white_list(data.complained)
    assert data.lead_school["district"] == "371002"


def test_a_data_set_smaller_than_three_per_district_is_refused():
    with pytest.raises(ValueError):
        dataset.build(1, 23)


def test_a_ledger_has_the_header_tasks_expects_and_names_the_unlisted_institution_only_when_asked():
    data = dataset.build(3, 40)
    offerings = [i for i in data.institutions_in("371002") if dataset.on_white_list(i)]
    plain = list(csv.reader(io.StringIO(dataset.ledger(3, data.lead_school, offerings).decode())))
    lead = list(csv.reader(io.StringIO(
        dataset.ledger(3, data.lead_school, offerings, unlisted=True).decode())))
    assert plain[0] == ["pupil_id", "pupil_name", "grade", "class", "institution_name",
                        "credit_code", "course"]
    white = {i["name"] for i in offerings}
    assert {row[4] for row in plain[1:]} <= white | {""}
    assert [row[4] for row in lead[1:]].count(names.UNLISTED["name"]) == 3


def test_the_timeline_names_the_institution_an_event_refers_to_by_id():
    teller = Teller()
    teller.learn("InstitutionRegistered", {"institution_id": "i1", "name": "海星艺术培训学校",
                                           "district": "371002"})
    told = teller.detail("HazardFound", {"institution_id": "i1", "district": "371002",
                                         "severity": "critical", "item": "fire.evacuation",
                                         "department": "fire"})
    assert "环翠区 · 海星艺术培训学校" in told and "critical" in told


def test_self_inspections_are_summed_up_but_a_special_inspection_is_told():
    teller = Teller()
    teller.learn("InspectionScheduled", {"inspection_id": "s1", "kind": "self"})
    assert teller.routine("FindingRecorded", {"inspection_id": "s1"})
    assert not teller.routine("FindingRecorded", {"inspection_id": "x2"})
    assert not teller.routine("HazardFound", {"inspection_id": "s1"})


def test_timeline_columns_line_up_with_chinese_text():
    assert len(pad("检查 inspection", 16)) == 16 - 2
    first = line("2024-01-22T07:30:00Z", "inspection", "HazardFound", "x")
    assert first.startswith("01-22 15:30  检查 inspection")  # Beijing time
